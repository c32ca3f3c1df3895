/**
 * complete, for a batch of outcomes (all those reported in one tick). ARGV:
 * prefix, then per outcome 7 values: run id, task index, task name, claim
 * counter, output JSON ('' for undefined), durationMs, skipped ('1'/'0').
 *
 * Each is fenced: 0 (lease lost) unless its token still holds the task.
 * Otherwise the output is stored, every dependent whose last unmet dependency
 * this was is queued (the counter is decremented atomically, so a fan-in task
 * becomes ready exactly once), and the run ends when no task remains: 1, or
 * the run's final status. Returns one result per outcome, in order.
 */
export const COMPLETE = `
local now = now_ms()
local out = {}
for j = 2, #ARGV, 7 do
  local id, i, name, k = ARGV[j], ARGV[j + 1], ARGV[j + 2], ARGV[j + 3]
  local output, duration, skipped = ARGV[j + 4], ARGV[j + 5], ARGV[j + 6] == '1'
  local key, ev = run_key(id), events_key(id)
  -- The fence (as holds()) and what the commit needs, in one read.
  local f = redis.call('HMGET', key, 'n' .. i, 's' .. i, 'k' .. i, 'le' .. i, 'a' .. i, 'dn' .. i, 'x' .. i)
  if not (f[1] == name and f[2] == '2' and f[3] == k and tonumber(f[4]) > now) then
    out[#out + 1] = 0
  else
    -- No output is stored for a running task (retryRun clears the reset tasks' outputs).
    if output == '' then
      redis.call('HSET', key, 's' .. i, skipped and '5' or '4', 'ea' .. i, now, 'du' .. i, duration)
    else
      redis.call('HSET', key, 's' .. i, skipped and '5' or '4', 'ea' .. i, now, 'du' .. i, duration, 'o' .. i, output)
    end
    -- An error is left only by an earlier attempt that failed.
    if f[7] then redis.call('HDEL', key, 'x' .. i) end
    log(ev, 't', skipped and 'task:skipped' or 'task:succeeded', 'k', name, 'a', f[5], 'd', duration)
    redis.call('ZREM', LEASES, id .. '|' .. i)
    local rem = redis.call('HINCRBY', key, 'rem', -1)
    if f[6] then
      for d in string.gmatch(f[6], '%d+') do
        if redis.call('HINCRBY', key, 'w' .. d, -1) == 0 then
          local g = redis.call('HMGET', key, 's' .. d, 'p' .. d)
          if g[1] == '0' then
            redis.call('HSET', key, 's' .. d, '1', 'ra' .. d, now)
            enqueue(id, d, g[2], now)
          end
        end
      end
    end
    out[#out + 1] = rem <= 0 and settle(key, ev, id, now) or 1
  end
end
flush_work()
return out
`;
