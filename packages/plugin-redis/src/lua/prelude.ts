/**
 * Lua shared by every script: ARGV[1] is always the key prefix (ending in `:`),
 * from which the global keys and each run's keys are derived. Status codes are
 * core's task statuses by position (0 pending … 8 cancelled).
 *
 * Per-run hash fields: `wf ver st in ca sa ea dl tmo ik rh by ns err rem nf tn`,
 * and `wt` once someone waits for the run's end (it is then published; see `publish_end`);
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
-- A queue member's run id and task index (a plain search from the end: ids hold no '|').
local function split(member)
  local bar = #member - 1
  while string.byte(member, bar) ~= 124 do bar = bar - 1 end
  return string.sub(member, 1, bar - 1), string.sub(member, bar + 1)
end
-- Sorted-set writes gathered over a script and sent as one ZADD / ZREM per key: a command's fixed
-- cost (argument conversion, lookup, reply) is most of a one-member write's. A script flushes them
-- before it reads a set it wrote and before it returns, also when it fails (flush_after).
local zadds, zrems, zorder = {}, {}, {}
local function batch_of(sets, key)
  local b = sets[key]
  if not b then
    b = {}
    sets[key] = b
    zorder[#zorder + 1] = key
  end
  return b
end
local function zadd_later(key, score, member)
  local b = batch_of(zadds, key)
  b[#b + 1] = score
  b[#b + 1] = member
end
local function zrem_later(key, member)
  local b = batch_of(zrems, key)
  b[#b + 1] = member
end
-- Within Lua's limit on unpacked values; even, so score/member pairs stay together.
local ZCHUNK = 2000
local function send(cmd, key, b)
  for s = 1, #b, ZCHUNK do redis.call(cmd, key, unpack(b, s, math.min(s + ZCHUNK - 1, #b))) end
end
local function flush_z()
  local keys, adds, rems = zorder, zadds, zrems
  zadds, zrems, zorder = {}, {}, {}
  -- Removals first: a key's member is never both removed and added in one batch.
  for _, key in ipairs(keys) do if rems[key] then send('ZREM', key, rems[key]) end end
  for _, key in ipairs(keys) do if adds[key] then send('ZADD', key, adds[key]) end end
end
-- Runs fn(...) and flushes the gathered writes whether or not it failed; rethrows its error.
local function flush_after(fn, ...)
  local ok, result = pcall(fn, ...)
  flush_z()
  if not ok then error(result, 0) end
  return result
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
  zadd_later(READY, score(prio, now), id .. '|' .. i)
end
local function flush_work()
  flush_z()
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
-- As move_status, gathered (see flush_z).
local function move_status_later(id, from, to, created)
  local a, b = status_index(from), status_index(to)
  if a ~= b then
    zrem_later(a, id)
    zadd_later(b, created, id)
  end
end
local function set_status(key, id, from, to, created)
  redis.call('HSET', key, 'st', to)
  move_status(id, from, to, created)
end
-- What a run's waiters get (see the result script): {status, startedAt, endedAt, error JSON, then
-- name/output JSON pairs once it succeeded}, '' for absent values.
local function result_of(key)
  local f = redis.call('HMGET', key, 'st', 'sa', 'ea', 'err', 'tn')
  if not f[1] then return nil, nil end
  local r = { f[1], f[2] or '', f[3] or '', f[4] or '' }
  if f[1] == 'succeeded' then
    local fields = {}
    for j = 0, tonumber(f[5]) - 1 do
      fields[#fields + 1] = 'n' .. j
      fields[#fields + 1] = 'o' .. j
    end
    local values = redis.call('HMGET', key, unpack(fields))
    for j = 1, #values do r[#r + 1] = values[j] or '' end
  end
  return r, f[1]
end
-- Tells every process that an awaited run ended: 'f|<status>|<id>', then '|' and its result (as
-- result_of returns it) as a JSON array when that is small, so a waiter in another process need
-- not read it back; a large result stays out of a message every process receives.
local INLINE_RESULT_BYTES = 4096
local function publish_end(status, id, r)
  local message = 'f|' .. status .. '|' .. id
  if r then
    local size = 0
    for j = 1, #r do size = size + #r[j] end
    if size <= INLINE_RESULT_BYTES then message = message .. '|' .. cjson.encode(r) end
  end
  redis.call('PUBLISH', SIGNALS, message)
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
  if f[4] then publish_end(status, id, (result_of(key))) end
end
-- Ends a run whose every task is done: failed if any task failed.
local function settle(key, ev, id, now)
  local status = tonumber(redis.call('HGET', key, 'nf') or '0') > 0 and 'failed' or 'succeeded'
  end_run(key, ev, id, status, now)
  return status
end
`;
