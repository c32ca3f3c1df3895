/**
 * Chooses where buckets live and which bucket and policy a request uses.
 * Redis is used when configured (`redis` option, or the `redis` capability
 * with `store: "auto" | "redis"`); if Redis fails, the request is counted in
 * memory instead of failing, and the failure is logged.
 */
import type { Principal } from "@flowmesh/server";
import type { Logger } from "@flowmesh/core";
import type { RateLimitOptions, RedisScriptClient } from "../options.js";
import { createMemoryLimiter } from "./memory-limiter.js";
import { createRedisLimiter } from "./redis-limiter.js";
import type { BucketPolicy, RateLimitDecision, RateLimiter } from "./types.js";

/** A bucket id and the policy it follows. */
export interface BucketChoice {
  readonly bucket: string;
  readonly policy: BucketPolicy;
}

/** The bucket for a caller: per principal when authenticated, per client IP otherwise. */
export function bucketFor(
  options: RateLimitOptions,
  principal: Principal | undefined,
  ip: string | undefined,
): BucketChoice {
  if (principal === undefined) {
    return {
      bucket: `ip:${ip ?? "unknown"}`,
      policy: { name: "ip", requestsPerMinute: options.anonymousRequestsPerMinute },
    };
  }
  let limit: number | undefined;
  for (const role of principal.roles) {
    const perRole = Object.hasOwn(options.roles, role) ? options.roles[role] : undefined;
    if (perRole !== undefined && (limit === undefined || perRole > limit)) limit = perRole;
  }
  return {
    bucket: `principal:${principal.method}:${principal.id}`,
    policy: { name: "principal", requestsPerMinute: limit ?? options.requestsPerMinute },
  };
}

/** A limiter that prefers Redis and falls back to memory while Redis fails. */
export function createLimiter(
  redis: { client: RedisScriptClient; keyPrefix: string } | undefined,
  logger: Logger,
): RateLimiter {
  const memory = createMemoryLimiter();
  if (redis === undefined) return memory;
  const shared = createRedisLimiter(redis.client, redis.keyPrefix);
  let lastWarning = 0;
  return {
    kind: "redis",
    async consume(bucket, policy): Promise<RateLimitDecision> {
      try {
        return await shared.consume(bucket, policy);
      } catch (error) {
        if (Date.now() - lastWarning > 30_000) {
          lastWarning = Date.now();
          logger.warn(
            {
              event: "auth.rate_limit_store_failed",
              err: error instanceof Error ? error.message : String(error),
            },
            "rate limit: Redis failed, counting in this process's memory until it answers again",
          );
        }
        return memory.consume(bucket, policy);
      }
    },
    close() {
      memory.close();
    },
  };
}
