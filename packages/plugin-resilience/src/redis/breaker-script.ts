/**
 * The circuit breaker state machine as one atomic Lua script over a hash, so
 * every worker sharing the Redis sees and moves the same breaker. It mirrors
 * `LocalBreaker` step for step; time is the Redis server's (`TIME`), so
 * workers' clocks need not agree.
 *
 * KEYS[1] the breaker's hash. ARGV: op (acquire | success | failure | ignored),
 * failureThreshold, recoveryMs, halfOpenMaxCalls, successThreshold,
 * ratio threshold (0: off), windowMs, minimumCalls, trial (1/0), ttlMs,
 * window buckets, half-open retry ms.
 * Returns { state, allowed (1/0), retryAfterMs, trial (1/0) }.
 */
import { RedisScript } from "./script.js";

export const BREAKER_SCRIPT = new RedisScript(`
local key = KEYS[1]
local op = ARGV[1]
local threshold = tonumber(ARGV[2])
local recovery = tonumber(ARGV[3])
local halfMax = tonumber(ARGV[4])
local successNeeded = tonumber(ARGV[5])
local ratio = tonumber(ARGV[6])
local windowMs = tonumber(ARGV[7])
local minCalls = tonumber(ARGV[8])
local trial = ARGV[9] == "1"
local ttl = tonumber(ARGV[10])
local buckets = tonumber(ARGV[11])
local halfRetry = tonumber(ARGV[12])
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local state = redis.call("HGET", key, "state") or "closed"

local function clearWindow()
  local fields = redis.call("HKEYS", key)
  for _, f in ipairs(fields) do
    if string.sub(f, 1, 2) == "c:" or string.sub(f, 1, 2) == "f:" then redis.call("HDEL", key, f) end
  end
end

local function save()
  redis.call("PEXPIRE", key, ttl)
end

local function open()
  clearWindow()
  redis.call("HSET", key, "state", "open", "openUntil", now + recovery, "consecutive", 0, "trials", 0, "trialOk", 0)
  state = "open"
end

local function close()
  clearWindow()
  redis.call("HSET", key, "state", "closed", "consecutive", 0, "trials", 0, "trialOk", 0)
  state = "closed"
end

if op == "acquire" then
  if state == "closed" then return { "closed", 1, 0, 0 } end
  if state == "open" then
    local openUntil = tonumber(redis.call("HGET", key, "openUntil") or "0")
    if now < openUntil then return { "open", 0, openUntil - now, 0 } end
    redis.call("HSET", key, "state", "half_open", "trials", 0, "trialOk", 0)
    state = "half_open"
  end
  local trials = tonumber(redis.call("HGET", key, "trials") or "0")
  local lastTrialAt = tonumber(redis.call("HGET", key, "lastTrialAt") or "0")
  if trials >= halfMax then
    if now - lastTrialAt < recovery then return { "half_open", 0, math.min(recovery, halfRetry), 0 } end
    trials = 0
  end
  redis.call("HSET", key, "trials", trials + 1, "lastTrialAt", now)
  save()
  return { "half_open", 1, 0, 1 }
end

if state == "half_open" then
  if trial then
    local trials = tonumber(redis.call("HGET", key, "trials") or "0")
    redis.call("HSET", key, "trials", math.max(0, trials - 1))
    if op == "failure" then
      open()
    elseif op == "success" then
      local ok = redis.call("HINCRBY", key, "trialOk", 1)
      if ok >= successNeeded then close() end
    end
    save()
  end
  return { state, 0, 0, 0 }
end

if state ~= "closed" or op == "ignored" then return { state, 0, 0, 0 } end

local consecutive = 0
if op == "failure" then consecutive = redis.call("HINCRBY", key, "consecutive", 1)
else redis.call("HSET", key, "consecutive", 0) end
if consecutive >= threshold then
  open()
  save()
  return { state, 0, 0, 0 }
end
if ratio > 0 then
  local size = windowMs / buckets
  local bucket = math.floor(now / size)
  redis.call("HINCRBY", key, "c:" .. bucket, 1)
  if op == "failure" then redis.call("HINCRBY", key, "f:" .. bucket, 1) end
  local calls = 0
  local failures = 0
  local fields = redis.call("HGETALL", key)
  for i = 1, #fields, 2 do
    local f = fields[i]
    local prefix = string.sub(f, 1, 2)
    if prefix == "c:" or prefix == "f:" then
      local id = tonumber(string.sub(f, 3))
      if id <= bucket - buckets then
        redis.call("HDEL", key, f)
      elseif prefix == "c:" then
        calls = calls + tonumber(fields[i + 1])
      else
        failures = failures + tonumber(fields[i + 1])
      end
    end
  end
  if calls >= minCalls and failures / calls >= ratio then open() end
end
save()
return { state, 0, 0, 0 }
`);
