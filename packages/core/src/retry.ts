/**
 * Retry timing and the retry decision, shared by the executor and every
 * backend so a task backs off the same way wherever it runs.
 */
import { isNonRetryable } from "./errors.js";
import type { RetryPolicy } from "./types.js";

/**
 * The delay in milliseconds before retry number `retryNumber` (1 = the first
 * retry): `min(maxDelayMs, baseDelayMs * exponentialBase^(retryNumber - 1))`.
 * With `jitter`, "full jitter": a whole number drawn uniformly from [0, delay],
 * so workers that failed together do not retry together. `random` is injectable
 * for tests and must return values in [0, 1).
 */
export function computeBackoffMs(
  policy: RetryPolicy,
  retryNumber: number,
  random: () => number = Math.random,
): number {
  if (policy.baseDelayMs <= 0 || policy.maxDelayMs <= 0) return 0;
  const exponent = Math.max(0, Math.floor(retryNumber) - 1);
  // The power overflows to Infinity after enough retries; the cap keeps the result finite.
  const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * policy.exponentialBase ** exponent);
  if (!policy.jitter) return Math.round(delay);
  // Clamp, so a misbehaving random source cannot produce a negative or over-long delay.
  return Math.round(delay * Math.min(1, Math.max(0, random())));
}

/**
 * Whether a failed attempt gets another try. `attempt` is the 1-based attempt
 * that just failed: with `maxRetries: 3`, attempts 1 to 3 are retried and the
 * 4th failure is final. A {@link NonRetryableError} (or a serialized error
 * with `retryable: false`) is final at once.
 */
export function shouldRetry(policy: RetryPolicy, attempt: number, error: unknown): boolean {
  return attempt <= policy.maxRetries && !isNonRetryable(error);
}
