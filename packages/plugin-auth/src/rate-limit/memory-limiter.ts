/** Token buckets in this process's memory: the default, exact for one API server. */
import { takeToken, type BucketState } from "./token-bucket.js";
import type { RateLimiter } from "./types.js";

/** Buckets that have refilled completely carry no information and are dropped by the sweep. */
export function createMemoryLimiter(
  options: { now?: () => number; sweepIntervalMs?: number } = {},
): RateLimiter {
  const now = options.now ?? Date.now;
  const buckets = new Map<string, BucketState & { fullAt: number }>();
  const timer = setInterval(() => {
    const t = now();
    for (const [key, bucket] of buckets) if (bucket.fullAt <= t) buckets.delete(key);
  }, options.sweepIntervalMs ?? 60_000);
  timer.unref();
  return {
    kind: "memory",
    async consume(bucket, policy) {
      const t = now();
      const { state, decision } = takeToken(buckets.get(bucket), policy, t);
      buckets.set(bucket, { ...state, fullAt: t + decision.resetSeconds * 1000 });
      return decision;
    },
    close() {
      clearInterval(timer);
      buckets.clear();
    },
  };
}
