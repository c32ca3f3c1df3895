/**
 * The retry-later protocol: an error a handler (or a policy wrapping it)
 * throws to say "this was not an attempt, run me again in N ms". A circuit
 * breaker that fails a call fast throws one, so an open breaker delays tasks
 * instead of burning their retries.
 */

/**
 * What an error carries to be retried later without using up an attempt.
 * Any error with these two properties qualifies (no class to import): the
 * engine re-queues the task after `retryAfterMs`, and the next claim reports
 * the same attempt number (`FailRequest.refundAttempt`). The run's own
 * timeout still applies, so a task that keeps asking cannot outlive its run.
 */
export interface RetryLater {
  /** Milliseconds from now until the task is worth running again (negative counts as 0). */
  readonly retryAfterMs: number;
  /** Must be `true`: the attempt that threw this does not count toward the retry policy. */
  readonly refundAttempt: true;
}

/** Longest delay honoured (the largest a Node timer accepts, about 24.8 days). */
const MAX_DELAY_MS = 2_147_483_647;

/** True when `error` asks to be retried later without using up an attempt (see {@link RetryLater}). */
export function isRetryLater(error: unknown): error is RetryLater {
  if (typeof error !== "object" || error === null) return false;
  const candidate = error as { retryAfterMs?: unknown; refundAttempt?: unknown };
  return (
    candidate.refundAttempt === true &&
    typeof candidate.retryAfterMs === "number" &&
    !Number.isNaN(candidate.retryAfterMs)
  );
}

/** The delay a {@link RetryLater} error asks for, as whole milliseconds within a timer's range. */
export function retryLaterDelayMs(error: RetryLater): number {
  return Math.min(MAX_DELAY_MS, Math.max(0, Math.ceil(error.retryAfterMs)));
}
