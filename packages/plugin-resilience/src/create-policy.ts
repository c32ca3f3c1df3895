/** Builds a policy's parts on the chosen state backend: this process, or Redis. */
import type { BreakerSettings, BreakerStore } from "./breaker-types.js";
import type { BucketStore } from "./bucket-types.js";
import { Bulkhead } from "./bulkhead.js";
import { LocalBreaker } from "./local-breaker.js";
import { LocalBucket } from "./local-bucket.js";
import type { RedisClientLike, ResolvedCircuitBreaker, ResolvedPolicy } from "./options.js";
import { Policy, type PolicyObserver } from "./policy.js";
import { RedisBreaker } from "./redis/redis-breaker.js";
import { RedisBucket } from "./redis/redis-bucket.js";

/** Where breaker state and token buckets live. Bulkheads are always per process. */
export type StateBackend =
  | { readonly kind: "local"; readonly now: () => number }
  | {
      readonly kind: "redis";
      readonly client: RedisClientLike;
      readonly keyPrefix: string;
      readonly now: () => number;
    };

export function createPolicy(
  name: string,
  settings: ResolvedPolicy,
  backend: StateBackend,
  observer: PolicyObserver,
): Policy {
  let breaker: BreakerStore | undefined;
  let bucket: BucketStore | undefined;
  const cb = settings.circuitBreaker;
  if (cb !== undefined) {
    breaker =
      backend.kind === "redis"
        ? new RedisBreaker(backend.client, `${backend.keyPrefix}breaker:${name}`, breakerSettings(cb))
        : new LocalBreaker(breakerSettings(cb), backend.now);
  }
  const rl = settings.rateLimiter;
  if (rl !== undefined) {
    bucket =
      backend.kind === "redis"
        ? new RedisBucket(backend.client, `${backend.keyPrefix}bucket:${name}`, rl.maxTokens, rl.refillRate)
        : new LocalBucket(rl.maxTokens, rl.refillRate, backend.now);
  }
  const bh = settings.bulkhead;
  const bulkhead = bh === undefined ? undefined : new Bulkhead(name, bh.maxConcurrent, bh.maxQueue);
  return new Policy(name, settings, breaker, bucket, bulkhead, observer);
}

/** Breaker options in the form both state machines take. */
export function breakerSettings(cb: ResolvedCircuitBreaker): BreakerSettings {
  return {
    failureThreshold: cb.failureThreshold,
    recoveryMs: cb.recoveryTimeout,
    halfOpenMaxCalls: cb.halfOpenMaxCalls,
    successThreshold: cb.successThreshold,
    failureRatio:
      cb.failureRatio === undefined
        ? undefined
        : {
            threshold: cb.failureRatio.threshold,
            windowMs: cb.failureRatio.window,
            minimumCalls: cb.failureRatio.minimumCalls,
          },
  };
}
