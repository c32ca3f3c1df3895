/**
 * One named policy at run time: its breaker, bucket and bulkhead, and the
 * guard that runs a call through them in that order. The breaker comes first
 * so an open one fails fast without spending a token or waiting for a slot.
 */
import type { TaskContext, TaskHandler } from "@flowmesh/core";
import type { BreakerOutcome, BreakerStore, CircuitState } from "./breaker-types.js";
import type { BucketStore } from "./bucket-types.js";
import type { Bulkhead } from "./bulkhead.js";
import { classifyError } from "./classify.js";
import { CircuitOpenError, RateLimitedError } from "./errors.js";
import type { ResolvedPolicy } from "./options.js";
import { abortReason, sleep } from "./sleep.js";

/** What a policy reports to its plugin. */
export interface PolicyObserver {
  /** A breaker state this process observes that differs from the last one it saw. */
  state(policy: string, state: CircuitState, previous: CircuitState): void;
  /** Recording an outcome failed (Redis unreachable): the task's own outcome stands. */
  recordFailed(policy: string, error: unknown): void;
}

export class Policy {
  /** The last state this process saw (shared state may have moved elsewhere since). */
  private known: CircuitState = "closed";

  constructor(
    readonly name: string,
    readonly settings: ResolvedPolicy,
    private readonly breaker: BreakerStore | undefined,
    private readonly bucket: BucketStore | undefined,
    private readonly bulkhead: Bulkhead | undefined,
    private readonly observer: PolicyObserver,
  ) {}

  /** The breaker state this process last saw. */
  get circuitState(): CircuitState {
    return this.known;
  }

  /** Wraps `next` so every call goes through this policy; `maxWaitMs` bounds the wait for a token. */
  guard(next: TaskHandler, maxWaitMs: number): TaskHandler {
    return (ctx) => this.call(ctx, next, maxWaitMs);
  }

  private async call(ctx: TaskContext, next: TaskHandler, maxWaitMs: number): Promise<unknown> {
    let trial = false;
    if (this.breaker !== undefined) {
      const decision = await this.breaker.acquire();
      this.observe(decision.state);
      if (!decision.allowed) throw new CircuitOpenError(this.name, decision.retryAfterMs);
      trial = decision.trial;
    }
    let outcome: BreakerOutcome = "ignored";
    try {
      if (this.bucket !== undefined) {
        const reservation = await this.bucket.reserve(maxWaitMs);
        if (!reservation.reserved) throw new RateLimitedError(this.name, reservation.waitMs);
        if (reservation.waitMs > 0) await sleep(reservation.waitMs, ctx.signal);
      }
      const release = this.bulkhead === undefined ? undefined : await this.bulkhead.enter(ctx.signal);
      try {
        const output = await settledOrAborted(next(ctx), ctx.signal);
        outcome = "success";
        return output;
      } catch (error) {
        if (this.settings.circuitBreaker !== undefined)
          outcome = classifyError(error, this.settings.circuitBreaker);
        throw error;
      } finally {
        release?.();
      }
    } finally {
      // Also for calls that never reached the handler (outcome "ignored"): frees a half-open trial slot.
      if (this.breaker !== undefined) await this.record(this.breaker, outcome, trial);
    }
  }

  private async record(breaker: BreakerStore, outcome: BreakerOutcome, trial: boolean): Promise<void> {
    try {
      this.observe(await breaker.record(outcome, trial));
    } catch (error) {
      this.observer.recordFailed(this.name, error);
    }
  }

  private observe(state: CircuitState): void {
    if (state === this.known) return;
    const previous = this.known;
    this.known = state;
    this.observer.state(this.name, state, previous);
  }
}

/**
 * The handler's result, or the attempt's abort reason as soon as its signal
 * aborts (timeout, cancel): a handler that ignores its signal must not hold
 * a bulkhead slot or a half-open trial past its attempt.
 */
function settledOrAborted(value: unknown, signal: AbortSignal): Promise<unknown> {
  if (!isPromiseLike(value)) return Promise.resolve(value);
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    value.then(
      (output) => {
        signal.removeEventListener("abort", onAbort);
        resolve(output);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passed on as thrown
        reject(error);
      },
    );
  });
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function"
  );
}
