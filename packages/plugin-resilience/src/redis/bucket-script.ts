/**
 * The token bucket as one atomic Lua script over a hash: every worker
 * sharing the Redis draws from the same bucket. Mirrors `LocalBucket`; time
 * is the Redis server's (`TIME`, microseconds).
 *
 * KEYS[1] the bucket's hash. ARGV: maxTokens, refill per ms, maxWaitMs, ttlMs.
 * Returns { reserved (1/0), waitMs }.
 */
import { RedisScript } from "./script.js";

export const BUCKET_SCRIPT = new RedisScript(`
local key = KEYS[1]
local capacity = tonumber(ARGV[1])
local perMs = tonumber(ARGV[2])
local maxWait = tonumber(ARGV[3])
local ttl = tonumber(ARGV[4])
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local tokens = tonumber(redis.call("HGET", key, "tokens") or "")
local updated = tonumber(redis.call("HGET", key, "updatedAt") or "")
if tokens == nil or updated == nil then
  tokens = capacity
  updated = now
end
tokens = math.min(capacity, tokens + math.max(0, now - updated) * perMs)
local wait = 0
local reserved = 1
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.ceil((1 - tokens) / perMs)
  if wait > maxWait then reserved = 0 else tokens = tokens - 1 end
end
redis.call("HSET", key, "tokens", string.format("%.6f", tokens), "updatedAt", string.format("%.3f", now))
redis.call("PEXPIRE", key, ttl)
return { reserved, wait }
`);
