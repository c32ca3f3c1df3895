/**
 * A bulkhead: at most `maxConcurrent` calls of a policy run at once in this
 * process; the rest wait in line (first come, first served), up to `maxQueue`.
 * A waiter whose attempt is aborted (timeout, cancel) leaves the line.
 */
import { BulkheadFullError } from "./errors.js";
import { abortReason } from "./sleep.js";

interface Waiter {
  resolve(release: () => void): void;
  reject(error: Error): void;
  signal: AbortSignal;
  onAbort: () => void;
}

export class Bulkhead {
  private running = 0;
  private readonly queue: Waiter[] = [];

  constructor(
    private readonly policy: string,
    private readonly maxConcurrent: number,
    private readonly maxQueue: number = Infinity,
  ) {}

  /** Calls running now. */
  get active(): number {
    return this.running;
  }

  /** Calls waiting for a slot. */
  get queued(): number {
    return this.queue.length;
  }

  /** Resolves with a release function once a slot is free; call it exactly when the call is over. */
  enter(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) return Promise.reject(abortReason(signal));
    if (this.running < this.maxConcurrent) {
      this.running++;
      return Promise.resolve(this.releaser());
    }
    if (this.queue.length >= this.maxQueue) {
      return Promise.reject(new BulkheadFullError(this.policy, this.running, this.queue.length));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const at = this.queue.indexOf(waiter);
          if (at >= 0) this.queue.splice(at, 1);
          reject(abortReason(signal));
        },
      };
      signal.addEventListener("abort", waiter.onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      if (next === undefined) {
        this.running--;
        return;
      }
      // The slot passes straight to the next waiter: `running` stays the same.
      next.signal.removeEventListener("abort", next.onAbort);
      next.resolve(this.releaser());
    };
  }
}
