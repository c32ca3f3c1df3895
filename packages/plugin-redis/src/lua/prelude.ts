/**
 * Lua shared by every script: ARGV[1] is always the key prefix (ending in `:`),
 * from which the global keys and each run's keys are derived. Status codes are
 * core's task statuses by position (0 pending … 8 cancelled).
 *
 * Per-run hash fields: `wf ver st in ca sa ea dl tmo ik rh by ns err rem nf tn`,
 * and `wt` once someone waits for the run's end (it is then published);
 * per-task fields end in the task's index: `n` name, `p` priority, `dp`/`dn`
 * dependency/dependent indices, `w` unmet dependencies, `s` status, `a`
 * attempts, `fa` first attempt of the round, `k` claim counter (the lease
 * token), `le` lease expiry, `o` output JSON, `x` error JSON, `ra sa ea du rt`
 * times. Queue members are `<runId>|<taskIndex>`.
 */
export const PRELUDE = `
local P = ARGV[1]
local READY, DELAYED, LEASES = P .. 'ready', P .. 'delayed', P .. 'leases'
local DEADLINES, SIGNALS = P .. 'deadlines', P .. 'signals'
-- The leases set's permanent member (score +inf, never due): longer than zset-max-listpack-value.
local LEASE_PAD = string.rep('~', 80)
local work = false

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
-- Integers as command arguments: Redis 7.0 formats a Lua number with '%.17g', a costly float
-- conversion; a string goes as is. Each distinct value is formatted once per script.
local INTS = {}
local function int(n)
  local s = INTS[n]
  if not s then
    s = string.format('%d', n)
    INTS[n] = s
  end
  return s
end
local function run_key(id) return P .. 'run:{' .. id .. '}' end
local function events_key(id) return P .. 'run:{' .. id .. '}:ev' end
-- A task's field names ('s3', 'le3', …) by index, built once per script: a batch of single-task
-- runs uses index 0 throughout, and building strings is much of a script's cost.
local FIELDS = { 'n', 's', 'k', 'le', 'a', 'dn', 'dp', 'x', 'o', 'ea', 'du', 'sa', 'ra', 'fa', 'p', 'w', 'rt' }
local field_cache = {}
local function fields_of(i)
  local names = field_cache[i]
  if not names then
    names = {}
    for _, f in ipairs(FIELDS) do names[f] = f .. i end
    field_cache[i] = names
  end
  return names
end
local function split(member)
  local id, i = string.match(member, '^(.*)|(%d+)$')
  return id, i
end
-- Highest priority first, then earliest ready: exact while |priority| < ~900.
local function score(prio, now)
  local p = tonumber(prio or 0)
  if p == 0 then return int(now) end
  return string.format('%.17g', now - p * 1e13)
end
-- Queues a ready task. Idle workers are woken only when the queue was empty:
-- a worker that found it empty since has been woken by that first push. Only
-- the script's first push can find it empty (scripts that enqueue never pop).
local checked = false
local function enqueue(id, i, prio, now)
  if not checked then
    checked = true
    if redis.call('ZCARD', READY) == 0 then work = true end
  end
  redis.call('ZADD', READY, score(prio, now), id .. '|' .. i)
end
local function flush_work()
  if work then redis.call('PUBLISH', SIGNALS, 'w') end
end
-- True when the lease (task index i, name, claim counter k) still holds the task.
local function holds(key, i, name, k, now)
  local f = redis.call('HMGET', key, 'n' .. i, 's' .. i, 'k' .. i, 'le' .. i)
  return f[1] == name and f[2] == '2' and f[3] == k and tonumber(f[4]) > now
end
local function parse_token(token)
  local i, k = string.match(token, '^(%d+):(%d+)$')
  return i, k
end
-- Appends to a run's event log. An entry is one event ("t"), or two at once: "p" names a run
-- event just before it, "f" one just after (see decodeEvents): one XADD where there were two.
local function log(ev, ...)
  redis.call('XADD', ev, '*', ...)
end
local TERMINAL = { succeeded = true, failed = true, cancelled = true, timed_out = true }
-- Pending and running runs share one index (active), so starting a run moves no index entry.
local function status_index(st)
  if st == 'pending' or st == 'running' then return P .. 'idx:st:active' end
  return P .. 'idx:st:' .. st
end
-- Moves a run between status indexes (scored by creation time) when its status changes index.
local function move_status(id, from, to, created)
  local a, b = status_index(from), status_index(to)
  if a ~= b then
    redis.call('ZREM', a, id)
    redis.call('ZADD', b, created, id)
  end
end
local function set_status(key, id, from, to, created)
  redis.call('HSET', key, 'st', to)
  move_status(id, from, to, created)
end
-- Ends a run: status, end time, event, index, deadline, and the run-finished signal if awaited.
local function end_run(key, ev, id, status, now)
  local f = redis.call('HMGET', key, 'st', 'ca', 'dl', 'wt')
  redis.call('HSET', key, 'st', status, 'ea', now)
  move_status(id, f[1], status, f[2])
  log(ev, 't', 'run:' .. status)
  if f[3] then redis.call('ZREM', DEADLINES, id) end
  -- Other processes hear of the end only when one waits for it (see the result script); the
  -- process that ended the run signals its own subscribers.
  if f[4] then redis.call('PUBLISH', SIGNALS, 'f|' .. status .. '|' .. id) end
end
-- Ends a run whose every task is done: failed if any task failed.
local function settle(key, ev, id, now)
  local status = tonumber(redis.call('HGET', key, 'nf') or '0') > 0 and 'failed' or 'succeeded'
  end_run(key, ev, id, status, now)
  return status
end
`;
