/**
 * finishRun (cancel or time out). KEYS: run hash, run events. ARGV: prefix,
 * id, status, run error JSON. Every unfinished task becomes `cancelled` and
 * leaves the queues (so running leases are lost), the run ends, and
 * subscribers hear `c|<id>` (abort running attempts) then, when awaited, `f|<status>|<id>…`.
 * Returns the run hash, or false when the run is unknown or already ended.
 */
export const FINISH_RUN = `
local key, ev = KEYS[1], KEYS[2]
local id, status = ARGV[2], ARGV[3]
local st = redis.call('HGET', key, 'st')
if not st or TERMINAL[st] then return false end
local now = now_ms()
local n = tonumber(redis.call('HGET', key, 'tn'))
local names = {}
for j = 0, n - 1 do names[j + 1] = 's' .. j end
local statuses = redis.call('HMGET', key, unpack(names))
for j = 0, n - 1 do
  local s = statuses[j + 1]
  if s == '0' or s == '1' or s == '2' or s == '3' then
    redis.call('HSET', key, 's' .. j, '8', 'ea' .. j, now)
    local member = id .. '|' .. j
    if s == '1' then redis.call('ZREM', READY, member)
    elseif s == '2' then redis.call('ZREM', LEASES, member)
    elseif s == '3' then redis.call('ZREM', DELAYED, member) end
  end
end
redis.call('HSET', key, 'rem', 0, 'err', ARGV[4])
redis.call('PUBLISH', SIGNALS, 'c|' .. id)
end_run(key, ev, id, status, now)
return redis.call('HGETALL', key)
`;
