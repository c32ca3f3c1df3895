/**
 * recover (the sweep). ARGV: prefix. Returns every expired lease to the queue
 * (`task:lease_lost`, same attempt counter, so the next claim is attempt + 1
 * with a new token), and lists runs whose deadline passed (the caller ends
 * them through finishRun). Returns `{leases, {runIds…}}`; bounded per call.
 */
export const RECOVER = `
local now = now_ms()
local count = 0
for _, m in ipairs(redis.call('ZRANGEBYSCORE', LEASES, '-inf', now, 'LIMIT', 0, 1000)) do
  redis.call('ZREM', LEASES, m)
  local id, i = split(m)
  local key = run_key(id)
  local f = redis.call('HMGET', key, 's' .. i, 'le' .. i, 'p' .. i, 'n' .. i, 'a' .. i)
  if f[1] == '2' and tonumber(f[2]) <= now then
    redis.call('HSET', key, 's' .. i, '1', 'ra' .. i, now)
    log(events_key(id), 't', 'task:lease_lost', 'k', f[4], 'a', f[5])
    enqueue(id, i, f[3], now)
    count = count + 1
  end
end
flush_work()
return { count, redis.call('ZRANGEBYSCORE', DEADLINES, '-inf', now, 'LIMIT', 0, 100) }
`;
