/**
 * Token buckets in Redis, shared by every API server: one Lua script reads,
 * refills and takes a token atomically, on Redis's clock (`TIME`), so N
 * servers enforce one limit and their clocks do not matter.
 */
import { createHash } from "node:crypto";
import type { RedisScriptClient } from "../options.js";
import { decisionOf } from "./token-bucket.js";
import type { RateLimiter } from "./types.js";

/** KEYS[1] bucket; ARGV[1] requests per minute (= capacity). Returns allowed, tokens, retry ms, reset ms. */
export const TOKEN_BUCKET_SCRIPT = `
local capacity = tonumber(ARGV[1])
local rate = capacity / 60000
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = capacity
  ts = now
end
if now > ts then
  tokens = math.min(capacity, tokens + (now - ts) * rate)
  ts = now
end
local allowed = 0
local retry = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  retry = math.ceil((1 - tokens) / rate)
end
local reset = math.ceil((capacity - tokens) / rate)
redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens), 'ts', tostring(ts))
redis.call('PEXPIRE', KEYS[1], reset + 1000)
return { allowed, string.format('%.6f', tokens), retry, reset }
`;

const SHA = createHash("sha1").update(TOKEN_BUCKET_SCRIPT).digest("hex");

/** A limiter on an ioredis client; bucket keys are `${keyPrefix}auth:rl:${bucket}`. */
export function createRedisLimiter(client: RedisScriptClient, keyPrefix: string): RateLimiter {
  return {
    kind: "redis",
    async consume(bucket, policy) {
      const key = `${keyPrefix}auth:rl:${bucket}`;
      const args = [1, key, policy.requestsPerMinute] as const;
      let reply: unknown;
      try {
        reply = await client.evalsha(SHA, ...args);
      } catch (error) {
        if (!(error instanceof Error) || !error.message.includes("NOSCRIPT")) throw error;
        reply = await client.eval(TOKEN_BUCKET_SCRIPT, ...args);
      }
      const [allowed, tokens, retryMs, resetMs] = reply as [number, string, number, number];
      return decisionOf(allowed === 1, Number(tokens), retryMs, resetMs);
    },
    close() {
      // The client belongs to whoever created it (the Redis plugin or the caller).
    },
  };
}
