/**
 * retryRun. KEYS: run hash, run events. ARGV: prefix, id, names of the tasks
 * to reset. Refusals come back as `{'unknown'}`, `{'state', status}`,
 * `{'empty'}` or `{'blocked', task, dependency}`; otherwise the reset tasks
 * start a new round (pending, or ready when their dependencies succeeded),
 * the run is running again with a fresh deadline, and the run hash is returned.
 */
export const RETRY_RUN = `
local key, ev = KEYS[1], KEYS[2]
local id = ARGV[2]
local st = redis.call('HGET', key, 'st')
if not st then return { 'unknown' } end
if not TERMINAL[st] then return { 'state', st } end
local n = tonumber(redis.call('HGET', key, 'tn'))
local index, status, deps = {}, {}, {}
for j = 0, n - 1 do
  local f = redis.call('HMGET', key, 'n' .. j, 's' .. j, 'dp' .. j)
  index[f[1]] = j
  status[j] = f[2]
  deps[j] = {}
  if f[3] then for d in string.gmatch(f[3], '%d+') do deps[j][#deps[j] + 1] = tonumber(d) end end
end
local reset, resetting = {}, {}
for a = 3, #ARGV do
  local j = index[ARGV[a]]
  if j ~= nil and not resetting[j] then
    reset[#reset + 1] = j
    resetting[j] = true
  end
end
if #reset == 0 then return { 'empty' } end
local function done(s) return s == '4' or s == '5' end
for _, j in ipairs(reset) do
  for _, d in ipairs(deps[j]) do
    if not resetting[d] and not done(status[d]) then
      return { 'blocked', redis.call('HGET', key, 'n' .. j), redis.call('HGET', key, 'n' .. d) }
    end
  end
end
local now = now_ms()
for _, j in ipairs(reset) do
  local attempts = tonumber(redis.call('HGET', key, 'a' .. j) or '0')
  redis.call('HSET', key, 's' .. j, '0', 'fa' .. j, attempts + 1)
  redis.call('HDEL', key, 'o' .. j, 'x' .. j, 'ea' .. j, 'rt' .. j)
  redis.call('ZREM', DELAYED, id .. '|' .. j)
  status[j] = '0'
end
local rem, nf = 0, 0
for j = 0, n - 1 do
  if status[j] == '0' then
    rem = rem + 1
    local unmet = 0
    for _, d in ipairs(deps[j]) do if not done(status[d]) then unmet = unmet + 1 end end
    redis.call('HSET', key, 'w' .. j, unmet)
  elseif status[j] == '6' then nf = nf + 1 end
end
local ca = redis.call('HGET', key, 'ca')
set_status(key, id, st, 'running', ca)
redis.call('HSET', key, 'rem', rem, 'nf', nf)
redis.call('HDEL', key, 'err', 'ea')
local tmo = redis.call('HGET', key, 'tmo')
if tmo then
  redis.call('HSET', key, 'dl', now + tonumber(tmo))
  redis.call('ZADD', DEADLINES, now + tonumber(tmo), id)
end
log(ev, 't', 'run:retried')
for _, j in ipairs(reset) do
  if redis.call('HGET', key, 'w' .. j) == '0' then
    redis.call('HSET', key, 's' .. j, '1', 'ra' .. j, now)
    enqueue(id, j, redis.call('HGET', key, 'p' .. j), now)
  end
end
flush_work()
return redis.call('HGETALL', key)
`;
