/** The token bucket contract shared by the in-process and the Redis state. */

/** The outcome of asking for a token. */
export interface Reservation {
  /** True when a token is now this caller's (after `waitMs`); false when it would take longer than allowed. */
  readonly reserved: boolean;
  /** Milliseconds until the token is due (0: take it now). */
  readonly waitMs: number;
}

/** Where a bucket's state lives: this process, or Redis (shared by every worker). */
export interface BucketStore {
  /** Takes a token, or reserves the next one if it is due within `maxWaitMs`. */
  reserve(maxWaitMs: number): Promise<Reservation>;
}
