import type { ClaimedTask } from "../backend/types.js";
import type { Linked } from "./active-list.js";
import type { Logger } from "../logger.js";
import type { TaskContext } from "../types.js";

/**
 * The context a handler receives. The AbortSignal, the child logger and the
 * idempotency key are built only when the handler reads them: most tasks never
 * do, and the engine's per-task cost is a product feature.
 */
export class Execution implements TaskContext, Linked<Execution> {
  prev: Execution | undefined = undefined;
  next: Execution | undefined = undefined;
  listed = false;
  /** Set once the attempt was aborted (timeout, cancel, lost lease). */
  abortReason: unknown = undefined;
  /** The outcome must not be reported: the lease is gone. */
  lost = false;
  /** Its worker slot was freed while the outcome is still being reported (async backends). */
  released = false;
  /** performance.now() when the attempt started. */
  startedAt = 0;
  private controller: AbortController | undefined = undefined;
  private childLogger: Logger | undefined = undefined;

  constructor(
    readonly claimed: ClaimedTask,
    private readonly parentLogger: Logger,
  ) {}

  get input(): unknown {
    return this.claimed.input;
  }

  get deps(): Record<string, unknown> {
    return this.claimed.deps;
  }

  get attempt(): number {
    return this.claimed.attempt;
  }

  get runId(): string {
    return this.claimed.runId;
  }

  get taskName(): string {
    return this.claimed.task;
  }

  get workflow(): string {
    return this.claimed.workflow;
  }

  get idempotencyKey(): string {
    return `${this.runId}:${this.taskName}`;
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.abortReason !== undefined) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  get logger(): Logger {
    this.childLogger ??= this.parentLogger.child({
      workflow_id: this.runId,
      workflow: this.workflow,
      task_name: this.taskName,
      attempt: this.attempt,
    });
    return this.childLogger;
  }

  /** Aborts the attempt's signal (once). */
  abort(reason: unknown): void {
    if (this.abortReason !== undefined) return;
    this.abortReason = reason;
    this.controller?.abort(reason);
  }
}
