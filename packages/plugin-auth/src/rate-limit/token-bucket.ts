/**
 * The token bucket arithmetic, shared by the memory limiter and mirrored by
 * the Redis Lua script: a bucket holds up to `requestsPerMinute` tokens,
 * gains `requestsPerMinute / 60000` per millisecond, and each request takes one.
 */
import type { BucketPolicy, RateLimitDecision } from "./types.js";

/** A bucket's stored state. */
export interface BucketState {
  tokens: number;
  /** Epoch ms of the last update. */
  updatedAt: number;
}

/** Refills `state` up to `now`, takes one token if there is one, and says what happened. */
export function takeToken(
  state: BucketState | undefined,
  policy: BucketPolicy,
  now: number,
): { state: BucketState; decision: RateLimitDecision } {
  const capacity = policy.requestsPerMinute;
  const perMs = capacity / 60_000;
  let tokens = state === undefined ? capacity : state.tokens;
  if (state !== undefined && now > state.updatedAt)
    tokens = Math.min(capacity, tokens + (now - state.updatedAt) * perMs);
  const allowed = tokens >= 1;
  if (allowed) tokens -= 1;
  const retryAfterMs = allowed ? 0 : (1 - tokens) / perMs;
  const resetMs = (capacity - tokens) / perMs;
  return {
    state: { tokens, updatedAt: Math.max(now, state?.updatedAt ?? now) },
    decision: decisionOf(allowed, tokens, retryAfterMs, resetMs),
  };
}

/** Whole seconds for headers: never 0 while a client must still wait. */
export function decisionOf(
  allowed: boolean,
  tokens: number,
  retryAfterMs: number,
  resetMs: number,
): RateLimitDecision {
  return {
    allowed,
    remaining: Math.max(0, Math.floor(tokens)),
    retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil(retryAfterMs / 1000)),
    resetSeconds: Math.max(0, Math.ceil(resetMs / 1000)),
  };
}
