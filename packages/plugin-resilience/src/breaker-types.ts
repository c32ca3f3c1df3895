/** The circuit breaker contract shared by the in-process and the Redis state. */

/** A breaker's state, as in the `circuit:state` event and `flowmesh_circuit_breaker_state`. */
export type CircuitState = "closed" | "open" | "half_open";

/** Whether a call may go ahead. A half-open breaker lets `trial` calls through. */
export type BreakerDecision =
  | { readonly allowed: true; readonly trial: boolean; readonly state: CircuitState }
  | { readonly allowed: false; readonly retryAfterMs: number; readonly state: CircuitState };

/** How a call ended, as the breaker counts it: `ignored` frees a trial slot and changes nothing else. */
export type BreakerOutcome = "success" | "failure" | "ignored";

/** Breaker settings in milliseconds. */
export interface BreakerSettings {
  readonly failureThreshold: number;
  readonly recoveryMs: number;
  readonly halfOpenMaxCalls: number;
  readonly successThreshold: number;
  readonly failureRatio:
    { readonly threshold: number; readonly windowMs: number; readonly minimumCalls: number } | undefined;
}

/** Where a breaker's state lives: this process, or Redis (shared by every worker). */
export interface BreakerStore {
  /** Asks to make a call; an open breaker whose recovery time passed turns half-open here. */
  acquire(): Promise<BreakerDecision>;
  /** Reports a call's outcome (`trial` as `acquire` said); returns the state after it. */
  record(outcome: BreakerOutcome, trial: boolean): Promise<CircuitState>;
}

/** Sliding windows are kept in this many buckets. */
export const WINDOW_BUCKETS = 10;

/** While half-open trials are running, other calls come back after at most this long. */
export const HALF_OPEN_RETRY_MS = 1000;
