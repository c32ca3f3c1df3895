/**
 * fail. KEYS: run hash, run events. ARGV: prefix, id, index, name, claim
 * counter, error JSON, durationMs, retryDelayMs ('' when final), refund
 * ('1'/'0'), run error JSON, then downstream task names.
 *
 * Fenced like complete. Retry later: the task waits as `retrying` in the
 * delayed set until Redis time + retryDelayMs, and subscribers are told when
 * it becomes due (`d|<ms>`); a refunded attempt is taken back so the next claim
 * reports the same attempt number. Final: the task fails, the given
 * downstream tasks that had not started become `upstream_failed`, and the run
 * ends when nothing remains.
 */
export const FAIL = `
local key, ev = KEYS[1], KEYS[2]
local id, i, name, k = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local now = now_ms()
if not holds(key, i, name, k, now) then return { 0 } end
local member = id .. '|' .. i
local attempts = redis.call('HGET', key, 'a' .. i)
redis.call('HSET', key, 'x' .. i, ARGV[6], 'du' .. i, ARGV[7])
redis.call('ZREM', LEASES, member)
if ARGV[8] ~= '' then
  local at = now + tonumber(ARGV[8])
  redis.call('HSET', key, 's' .. i, '3', 'rt' .. i, at)
  log(ev, 't', 'task:retrying', 'k', name, 'a', attempts, 'd', ARGV[7], 'e', ARGV[6])
  if ARGV[9] == '1' then redis.call('HINCRBY', key, 'a' .. i, -1) end
  redis.call('ZADD', DELAYED, at, member)
  redis.call('PUBLISH', SIGNALS, 'd|' .. ARGV[8])
  return { 1 }
end
redis.call('HSET', key, 's' .. i, '6', 'ea' .. i, now)
redis.call('HINCRBY', key, 'nf', 1)
redis.call('HSETNX', key, 'err', ARGV[10])
log(ev, 't', 'task:failed', 'k', name, 'a', attempts, 'd', ARGV[7], 'e', ARGV[6])
local rem = redis.call('HINCRBY', key, 'rem', -1)
if #ARGV >= 11 then
  local wanted = {}
  for j = 11, #ARGV do wanted[ARGV[j]] = true end
  local n = tonumber(redis.call('HGET', key, 'tn'))
  for j = 0, n - 1 do
    local g = redis.call('HMGET', key, 'n' .. j, 's' .. j, 'a' .. j)
    if wanted[g[1]] and (g[2] == '0' or g[2] == '1') then
      if g[2] == '1' then redis.call('ZREM', READY, id .. '|' .. j) end
      redis.call('HSET', key, 's' .. j, '7', 'ea' .. j, now)
      rem = redis.call('HINCRBY', key, 'rem', -1)
      log(ev, 't', 'task:upstream_failed', 'k', g[1], 'a', g[3] or '0')
    end
  end
end
if rem <= 0 then return { 1, settle(key, ev, id, now) } end
return { 1 }
`;
