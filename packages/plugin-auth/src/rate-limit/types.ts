/** Rate limiting: token buckets, one per principal or client IP. */

/** A bucket's shape: `capacity` tokens, refilled at `capacity` per minute. */
export interface BucketPolicy {
  /** Policy name in the `RateLimit` headers: `principal` or `ip`. */
  readonly name: string;
  /** Requests per minute; also the bucket's capacity (the burst). */
  readonly requestsPerMinute: number;
}

/** The outcome of taking one token. */
export interface RateLimitDecision {
  readonly allowed: boolean;
  /** Whole tokens left after this request. */
  readonly remaining: number;
  /** Seconds until a token is available again (0 when allowed). */
  readonly retryAfterSeconds: number;
  /** Seconds until the bucket is full again. */
  readonly resetSeconds: number;
}

/** Where buckets live: this process's memory, or Redis (shared by every API server). */
export interface RateLimiter {
  readonly kind: "memory" | "redis";
  /** Takes one token from `bucket`. */
  consume(bucket: string, policy: BucketPolicy): Promise<RateLimitDecision>;
  close(): void;
}
