/**
 * Errors the policies throw instead of calling the handler. The first two
 * follow core's retry-later protocol: the task is queued again when the
 * breaker half-opens or the token is due, without using up an attempt.
 */
import { FlowMeshError, type RetryLater } from "@flowmesh/core";

/** The policy's circuit breaker is open: the call failed fast. Retried at `retryAfterMs`, not counted as an attempt. */
export class CircuitOpenError extends FlowMeshError implements RetryLater {
  override readonly name: string = "CircuitOpenError";
  readonly refundAttempt = true as const;

  constructor(
    readonly policy: string,
    readonly retryAfterMs: number,
  ) {
    super(
      "FM_ERR_CIRCUIT_OPEN",
      `policy "${policy}": circuit breaker is open, failing fast; trying again in ${retryAfterMs} ms`,
      { details: { policy, retryAfterMs } },
    );
  }
}

/** No token within the task's `maxWait`: the task is deferred until one is due, not counted as an attempt. */
export class RateLimitedError extends FlowMeshError implements RetryLater {
  override readonly name: string = "RateLimitedError";
  readonly refundAttempt = true as const;

  constructor(
    readonly policy: string,
    readonly retryAfterMs: number,
  ) {
    super(
      "FM_ERR_RATE_LIMITED",
      `policy "${policy}": rate limit reached, next token in ${retryAfterMs} ms (longer than the task may wait)`,
      { details: { policy, retryAfterMs, retryAfterSeconds: Math.ceil(retryAfterMs / 1000) } },
    );
  }
}

/** The bulkhead runs `maxConcurrent` calls and its queue is full: an ordinary failure, so the retry policy applies. */
export class BulkheadFullError extends FlowMeshError {
  override readonly name: string = "BulkheadFullError";

  constructor(
    readonly policy: string,
    running: number,
    queued: number,
  ) {
    super(
      "FM_ERR_BULKHEAD_FULL",
      `policy "${policy}": bulkhead full (${running} running, ${queued} queued)`,
      {
        details: { policy, running, queued },
      },
    );
  }
}
