/**
 * Callers of `wait()` / `result()`, by run. They are released when the run's
 * end reaches this engine, or, when this engine itself is reporting that end,
 * only after its end-of-run hooks ran ("held" runs).
 */
import type { RunResult } from "../backend/types.js";
import { FlowMeshError } from "../errors.js";
import { isTerminalStatus } from "../model/status.js";

interface Waiter {
  resolve(result: RunResult): void;
  reject(error: Error): void;
}

export class RunWaiters {
  private readonly waiting = new Map<string, Waiter[]>();
  /** Runs whose end this engine is still reporting: their waiters wait for {@link release}. */
  private readonly held = new Set<string>();
  /** The latest read of each run in flight: {@link release} waits for it rather than reading again. */
  private readonly reading = new Map<string, Promise<RunResult | undefined>>();
  /** Held runs' results a read already brought: {@link release} hands them out without a read. */
  private readonly ended = new Map<string, RunResult>();

  constructor(private readonly read: (runId: string) => Promise<RunResult | undefined>) {}

  /** Resolves with the run's result once it is finished (and not held). */
  wait(runId: string): Promise<RunResult> {
    return new Promise<RunResult>((resolve, reject) => {
      // Register first, then look: a finish in between still reaches us.
      const waiter: Waiter = { resolve, reject };
      const list = this.waiting.get(runId);
      if (list === undefined) this.waiting.set(runId, [waiter]);
      else list.push(waiter);
      this.readShared(runId).then(
        (result) => {
          if (result === undefined) {
            this.drop(runId, waiter);
            reject(unknownRun(runId));
          } else if (isTerminalStatus(result.status)) {
            if (!this.held.has(runId)) {
              this.drop(runId, waiter);
              resolve(result);
            } else if (this.waiting.has(runId)) {
              // Ended, and this engine is still running its end-of-run hooks: kept for the release.
              this.ended.set(runId, result);
            }
          }
        },
        (error: unknown) => {
          this.drop(runId, waiter);
          reject(asError(error));
        },
      );
    });
  }

  /** Keeps the run's waiters waiting until {@link release}, though the run has ended. */
  hold(runId: string): void {
    this.held.add(runId);
  }

  /** Releases a held run's waiters; false when it was not held. */
  releaseHeld(runId: string): boolean {
    if (!this.held.has(runId)) return false;
    this.release(runId);
    return true;
  }

  /**
   * Resolves everyone waiting for the run with its result: `known`, or one a
   * read already brought, or the read in flight if it finds the run ended
   * (a `result()` right after `start()` has one out when the end arrives),
   * or else a new read.
   */
  release(runId: string, known?: RunResult): void {
    this.held.delete(runId);
    const kept = this.ended.get(runId);
    this.ended.delete(runId);
    const waiting = this.waiting.get(runId);
    if (waiting === undefined) return;
    this.waiting.delete(runId);
    const result = known ?? kept;
    if (result !== undefined) {
      for (const waiter of waiting) waiter.resolve(result);
      return;
    }
    const inFlight = this.reading.get(runId);
    const settle = (read: Promise<RunResult | undefined>): void => {
      read.then(
        (found) => {
          for (const waiter of waiting) {
            if (found === undefined) waiter.reject(unknownRun(runId));
            else waiter.resolve(found);
          }
        },
        (error: unknown) => {
          for (const waiter of waiting) waiter.reject(asError(error));
        },
      );
    };
    if (inFlight === undefined) {
      settle(this.readShared(runId));
      return;
    }
    // A read sent before the end may still see the run unfinished: then read again.
    settle(
      inFlight.then(
        (found) => (found === undefined || isTerminalStatus(found.status) ? found : this.readShared(runId)),
        () => this.readShared(runId),
      ),
    );
  }

  /** Reads the run, remembering the read while it is in flight (see {@link release}). */
  private readShared(runId: string): Promise<RunResult | undefined> {
    const read = this.read(runId);
    this.reading.set(runId, read);
    const forget = (): void => {
      if (this.reading.get(runId) === read) this.reading.delete(runId);
    };
    read.then(forget, forget);
    return read;
  }

  /** Rejects every waiter (the engine closed). */
  rejectAll(errorFor: (runId: string) => Error): void {
    for (const [runId, waiting] of this.waiting) {
      for (const waiter of waiting) waiter.reject(errorFor(runId));
    }
    this.waiting.clear();
    this.held.clear();
    this.ended.clear();
  }

  private drop(runId: string, waiter: Waiter): void {
    const list = this.waiting.get(runId);
    if (list === undefined) return;
    const rest = list.filter((w) => w !== waiter);
    if (rest.length === 0) this.waiting.delete(runId);
    else this.waiting.set(runId, rest);
  }
}

export function unknownRun(runId: string): FlowMeshError {
  return new FlowMeshError("FM_ERR_UNKNOWN_RUN", `no run with id "${runId}"`, { details: { runId } });
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
