/**
 * What the memory backend hands a worker for each claimed task: a few fields,
 * everything else read through to the run's state.
 */
import { LEASE_EXPIRES, READY_AT, type RunState } from "./run-state.js";
import type { ClaimedTask } from "./types.js";

/** Lease tokens for the first attempts, made once. */
const TOKENS: readonly string[] = Array.from({ length: 64 }, (_, i) => String(i));

/** A shared empty object: no dependencies, or no outputs to report. */
export const NO_DEPS: Record<string, unknown> = Object.freeze({});

/**
 * A lease's token is its claim serial (the attempt number, plus attempts
 * refunded earlier): it only grows, so it fences the lease against every
 * earlier one of the task, and it needs no storage.
 */
export function tokenOf(attempt: number): string {
  return attempt < TOKENS.length ? TOKENS[attempt]! : String(attempt);
}

/** A claimed task. Its `deps` object is built only if the handler reads it. */
export class MemoryClaim implements ClaimedTask {
  private depsCache: Record<string, unknown> | undefined = undefined;

  // Four fields, everything else read from the run: a claim is made for every attempt.
  constructor(
    readonly runState: RunState,
    readonly index: number,
    readonly attempt: number,
    /** Claims of the task so far, this one included: equals `attempt` unless attempts were refunded. */
    private readonly serial: number = attempt,
  ) {}

  get runId(): string {
    return this.runState.id;
  }

  get task(): string {
    return this.runState.name(this.index);
  }

  get token(): string {
    return tokenOf(this.serial);
  }

  get workflow(): string {
    return this.runState.workflow;
  }

  get version(): string {
    return this.runState.version;
  }

  get input(): unknown {
    return this.runState.input;
  }

  get roundAttempt(): number {
    return this.attempt - this.runState.firstAttempt(this.index) + 1;
  }

  get leaseExpiresAt(): number {
    return this.runState.time(this.index, LEASE_EXPIRES);
  }

  get readyAt(): number {
    return this.runState.time(this.index, READY_AT);
  }

  get deps(): Record<string, unknown> {
    return (this.depsCache ??= depsOf(this.runState, this.index));
  }
}

function depsOf(run: RunState, task: number): Record<string, unknown> {
  const deps = run.graph.deps[task]!;
  if (deps.length === 0) return NO_DEPS;
  const out: Record<string, unknown> = {};
  for (let i = 0; i < deps.length; i++) {
    const d = deps[i]!;
    out[run.name(d)] = run.outputs[d];
  }
  return out;
}
