/**
 * The circuit breaker state machine for one process: closed → open after
 * `failureThreshold` consecutive failures (or a failure ratio over a sliding
 * window), open → half-open once `recoveryMs` passed, half-open → closed
 * after `successThreshold` trial successes, or back to open on a trial failure.
 * Time comes from an injected clock, so tests drive it without waiting.
 */
import {
  HALF_OPEN_RETRY_MS,
  WINDOW_BUCKETS,
  type BreakerDecision,
  type BreakerOutcome,
  type BreakerSettings,
  type BreakerStore,
  type CircuitState,
} from "./breaker-types.js";

export class LocalBreaker implements BreakerStore {
  private state: CircuitState = "closed";
  private consecutive = 0;
  private openUntil = 0;
  private trials = 0;
  private lastTrialAt = 0;
  private trialSuccesses = 0;
  /** Sliding window: bucket id → calls and failures. */
  private readonly window = new Map<number, { calls: number; failures: number }>();

  constructor(
    private readonly settings: BreakerSettings,
    private readonly now: () => number = Date.now,
  ) {}

  acquire(): Promise<BreakerDecision> {
    return Promise.resolve(this.acquireNow());
  }

  record(outcome: BreakerOutcome, trial: boolean): Promise<CircuitState> {
    this.recordNow(outcome, trial);
    return Promise.resolve(this.state);
  }

  /** The current state (an open breaker past its recovery time still reads open until a call asks). */
  get current(): CircuitState {
    return this.state;
  }

  private acquireNow(): BreakerDecision {
    const now = this.now();
    if (this.state === "closed") return { allowed: true, trial: false, state: "closed" };
    if (this.state === "open") {
      if (now < this.openUntil) return { allowed: false, retryAfterMs: this.openUntil - now, state: "open" };
      this.state = "half_open";
      this.trials = 0;
      this.trialSuccesses = 0;
    }
    // A trial whose worker vanished must not hold the breaker half-open forever.
    if (this.trials >= this.settings.halfOpenMaxCalls && now - this.lastTrialAt < this.settings.recoveryMs) {
      return {
        allowed: false,
        retryAfterMs: Math.min(this.settings.recoveryMs, HALF_OPEN_RETRY_MS),
        state: "half_open",
      };
    }
    if (this.trials >= this.settings.halfOpenMaxCalls) this.trials = 0;
    this.trials++;
    this.lastTrialAt = now;
    return { allowed: true, trial: true, state: "half_open" };
  }

  private recordNow(outcome: BreakerOutcome, trial: boolean): void {
    if (this.state === "half_open") {
      // Only trial calls speak for a half-open breaker; calls let through while it was closed are stale.
      if (!trial) return;
      this.trials = Math.max(0, this.trials - 1);
      if (outcome === "failure") return this.open();
      if (outcome === "success" && ++this.trialSuccesses >= this.settings.successThreshold) this.close();
      return;
    }
    if (this.state !== "closed" || outcome === "ignored") return;
    const failed = outcome === "failure";
    this.consecutive = failed ? this.consecutive + 1 : 0;
    const ratio = this.settings.failureRatio;
    if (this.consecutive >= this.settings.failureThreshold) return this.open();
    if (ratio === undefined) return;
    const now = this.now();
    const size = ratio.windowMs / WINDOW_BUCKETS;
    const bucket = Math.floor(now / size);
    const entry = this.window.get(bucket) ?? { calls: 0, failures: 0 };
    entry.calls++;
    if (failed) entry.failures++;
    this.window.set(bucket, entry);
    let calls = 0;
    let failures = 0;
    for (const [id, counts] of this.window) {
      if (id <= bucket - WINDOW_BUCKETS) {
        this.window.delete(id);
        continue;
      }
      calls += counts.calls;
      failures += counts.failures;
    }
    if (calls >= ratio.minimumCalls && failures / calls >= ratio.threshold) this.open();
  }

  private open(): void {
    this.state = "open";
    this.openUntil = this.now() + this.settings.recoveryMs;
    this.reset();
  }

  private close(): void {
    this.state = "closed";
    this.reset();
  }

  private reset(): void {
    this.consecutive = 0;
    this.trials = 0;
    this.trialSuccesses = 0;
    this.window.clear();
  }
}
