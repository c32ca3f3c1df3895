/**
 * Claims (run by the round script; `lease_task` also by the create script,
 * for an eager start): promotes due retries, then pops up to
 * `max` ready tasks (highest priority, then oldest) and leases each until
 * Redis `TIME` + leaseMs with a fresh token `<index>:<claim counter>`.
 *
 * Returns one flat array (a nested table per task would cost Redis more to
 * reply than the task's own fields): per task, the count D of dependency
 * values, then id, index, name, token, attempt, roundAttempt, workflow,
 * version, input JSON, readyAt, leaseExpiresAt, then D values: dependency
 * name/output-JSON pairs ('' for undefined).
 */
export const CLAIM_TASKS = `
-- Leases task i of run id (queue member m) if it is ready: running until now + lease_ms with a fresh
-- token, task:started (and run:started for the run's first) logged; appends its entry to out after
-- position n. Returns the new end of out, or nil when the task was not ready (a stale entry).
local function lease_task(m, id, i, now, lease_ms, out, n)
  local key = run_key(id)
  local F = fields_of(i)
  local f = redis.call('HMGET', key, F.s, 'st', F.a, F.k, F.n, F.ra, F.fa, F.dp, 'wf', 'ver', 'in')
  -- A task is in the queue only while ready; anything else is a stale entry.
  if f[1] ~= '1' then return nil end
  local attempt = tonumber(f[3] or '0') + 1
  local k = tonumber(f[4] or '0') + 1
  local expires = now + lease_ms
  local ev = events_key(id)
  if f[2] == 'pending' then
    -- Pending and running share the active index: only the hash changes.
    redis.call('HSET', key, F.s, '2', F.a, int(attempt), F.k, int(k), F.le, int(expires), F.sa, int(now), 'st', 'running', 'sa', int(now))
    -- The run starts with its first task: one entry for both events.
    log(ev, 't', 'task:started', 'k', f[5], 'a', int(attempt), 'p', 'run:started')
  else
    redis.call('HSET', key, F.s, '2', F.a, int(attempt), F.k, int(k), F.le, int(expires), F.sa, int(now))
    log(ev, 't', 'task:started', 'k', f[5], 'a', int(attempt))
  end
  zadd_later(LEASES, int(expires), m)
  local count = n + 1
  out[count] = 0
  out[n + 2] = id
  out[n + 3] = tonumber(i)
  out[n + 4] = f[5]
  out[n + 5] = i .. ':' .. k
  out[n + 6] = attempt
  out[n + 7] = attempt - tonumber(f[7] or '1') + 1
  out[n + 8] = f[9]
  out[n + 9] = f[10]
  out[n + 10] = f[11] or ''
  out[n + 11] = tonumber(f[6] or now)
  out[n + 12] = expires
  n = n + 12
  if f[8] then
    -- Every dependency's name and output in one read.
    local fields = {}
    for d in string.gmatch(f[8], '%d+') do
      fields[#fields + 1] = 'n' .. d
      fields[#fields + 1] = 'o' .. d
    end
    local deps = redis.call('HMGET', key, unpack(fields))
    for x = 1, #fields, 2 do
      out[n + 1] = deps[x]
      out[n + 2] = deps[x + 1] or ''
      n = n + 2
    end
    out[count] = #fields
  end
  return n
end
-- A member never due keeps the leases set a skiplist: a small one would be a listpack, scanned on
-- every lease taken and released (about a tenth of a task's Redis cost). Once per script.
local padded = false
local function pad_leases()
  if padded then return end
  padded = true
  redis.call('ZADD', LEASES, 'NX', '+inf', LEASE_PAD)
end

local function claim_tasks(max, lease_ms, now)
  local promoted = 0
  for _, m in ipairs(redis.call('ZRANGEBYSCORE', DELAYED, '-inf', now, 'LIMIT', 0, 256)) do
    redis.call('ZREM', DELAYED, m)
    local id, i = split(m)
    local key = run_key(id)
    local f = redis.call('HMGET', key, 's' .. i, 'rt' .. i, 'p' .. i)
    if f[1] == '3' and tonumber(f[2]) <= now then
      redis.call('HSET', key, 's' .. i, '1', 'ra' .. i, now)
      redis.call('HDEL', key, 'rt' .. i)
      redis.call('ZADD', READY, score(f[3], now), m)
      promoted = promoted + 1
    end
  end
  local out, n, taken = {}, 0, 0
  while taken < max do
    local want = max - taken
    local popped = redis.call('ZPOPMIN', READY, want)
    if #popped == 0 then break end
    pad_leases()
    for j = 1, #popped, 2 do
      local m = popped[j]
      local id, i = split(m)
      local after = lease_task(m, id, i, now, lease_ms, out, n)
      if after then
        n = after
        taken = taken + 1
      end
    end
    -- Fewer than asked: the queue is empty (only stale entries make a full pop come up short).
    if #popped < want * 2 then break end
  end
  if promoted > 0 and redis.call('ZCARD', READY) > 0 then redis.call('PUBLISH', SIGNALS, 'w') end
  return out
end
local function claim_batch(max, lease_ms, now) return flush_after(claim_tasks, max, lease_ms, now) end
`;
