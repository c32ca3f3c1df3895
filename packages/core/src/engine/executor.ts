/**
 * Runs one claimed task attempt: `beforeTask`, the handler under its timeout,
 * then the fenced outcome (complete, retry later, or fail for good) and the
 * hooks that follow. The hot path skips every hook nobody tapped and every
 * event nobody listens to.
 */
import { performance } from "node:perf_hooks";
import type { ClaimedTask, FailRequest, OutcomeResult, SyncCoordinatorOps } from "../backend/types.js";
import { FlowMeshError, serializeError, type SerializedError } from "../errors.js";
import { isTapped } from "../hooks/create-hooks.js";
import { isLevelEnabled, type Logger } from "../logger.js";
import type { PlannedTask } from "../model/plan.js";
import { computeBackoffMs, shouldRetry } from "../retry.js";
import { isRetryLater, retryLaterDelayMs, type RetryLater } from "../retry-later.js";
import type { TaskHandler } from "../types.js";
import type { RegisteredWorkflow } from "./registry.js";
import type { EngineRuntime } from "./runtime.js";
import { ActiveList } from "./active-list.js";
import { downstreamInRecord } from "./retry-plan.js";
import { Execution } from "./task-context.js";
import { wallClockAt } from "./wall-clock.js";

/**
 * Attempts whose worker died (or lost its lease) before reporting are re-run
 * this many times on top of the retry policy, like BullMQ's stalled-job limit:
 * a recovered task does not need retries, but one that keeps killing its
 * worker must stop. A task claimed ahead into a worker's prefetch buffer also
 * loses its attempt when that worker dies, so the allowance covers two
 * crashes' worth of that (prefetch roughly doubles what one crash costs).
 */
export const LOST_ATTEMPTS_ALLOWED = 4;

/** How the executor tells its worker an attempt is over. */
export interface ExecutorCallbacks {
  /** The attempt is over (its outcome reported, or discarded); `released` if its slot was freed earlier. */
  readonly settled: (released: boolean) => void;
  /** Reporting the outcome failed (backend down): the lease will expire and the task run again. */
  readonly crashed: (error: unknown, released: boolean) => void;
  /**
   * Async backends: the handler settled and its outcome is being reported;
   * true when the worker freed the attempt's slot (then `settled` gets
   * `released: true`). Absent on the synchronous path, where a slot is held
   * until the outcome is reported.
   */
  readonly release?: (() => boolean) | undefined;
}

export class Executor {
  /** Attempts in flight, for heartbeats, aborts and draining. */
  readonly active = new ActiveList<Execution>();
  /** Reused by the synchronous completion path, which does not keep it. */
  private readonly completion = { output: undefined as unknown, durationMs: 0, skipped: false };
  private lastWorkflow: RegisteredWorkflow | undefined = undefined;
  /** The run whose outcome is being reported synchronously right now. */
  private syncRun: string | undefined = undefined;
  /** Runs with an outcome being reported asynchronously, with how many. */
  private readonly finishing = new Map<string, number>();
  private loggerLevel: string | number = "";
  private debug = false;

  /** The backend's synchronous fast path, if it has one (fixed for the engine's life). */
  private readonly sync: SyncCoordinatorOps | undefined;

  constructor(
    private readonly rt: EngineRuntime,
    private readonly callbacks: ExecutorCallbacks,
  ) {
    this.sync = rt.coordinator.sync;
  }

  /** Runs one attempt; `callbacks.settled` is called when it is over, synchronously or later. */
  run(claimed: ClaimedTask): void {
    const rt = this.rt;
    const exec = new Execution(claimed, rt.logger);
    const workflow = this.workflowOf(claimed);
    // The run's graph is the plan's, so the claim's index finds the task; the name check guards the rest.
    const planned = workflow?.plan.tasks[claimed.index];
    const task = planned?.name === claimed.task ? planned : workflow?.plan.byName.get(claimed.task);
    if (workflow === undefined || task === undefined) {
      // A resumed run can be claimed while its workflow is still being registered: wait for that first.
      const settling = rt.registrationsSettled();
      if (settling !== undefined) return void settling.then(() => this.run(claimed));
      return this.finish(exec, this.failUnknown(exec));
    }
    this.active.add(exec);
    exec.startedAt = performance.now();
    if (rt.events.listenerCount("task:started") > 0) {
      rt.events.emit("task:started", {
        runId: exec.runId,
        workflow: exec.workflow,
        task: exec.taskName,
        attempt: exec.attempt,
        queueWaitMs: Math.max(0, Date.now() - claimed.readyAt),
      });
    }
    if (exec.attempt > task.retry.maxRetries + 1 + LOST_ATTEMPTS_ALLOWED) {
      const error = this.exhausted(exec, task);
      if (error !== undefined) return this.finish(exec, this.onError(exec, workflow, task, error));
    }
    if (isTapped(rt.hooks.beforeTask)) return this.finish(exec, this.runWithBeforeTask(exec, workflow, task));
    let value: unknown;
    try {
      value = this.invoke(exec, task, workflow.handlers[task.index]!);
    } catch (error) {
      return this.finish(exec, this.onError(exec, workflow, task, error));
    }
    if (isPromiseLike(value)) {
      value.then(
        (output) => this.finish(exec, this.onOutput(exec, workflow, output, false)),
        (error: unknown) => this.finish(exec, this.onError(exec, workflow, task, error)),
      );
      return;
    }
    this.finish(exec, this.onOutput(exec, workflow, value, false));
  }

  /**
   * An attempt beyond what the retry policy allows: earlier ones were lost
   * (their worker died or lost its lease). Returns the error that fails the
   * task for good, so a task that crashes its worker cannot loop forever.
   */
  private exhausted(exec: Execution, task: PlannedTask): FlowMeshError | undefined {
    const round = exec.claimed.roundAttempt ?? exec.attempt;
    const allowed = task.retry.maxRetries + 1 + LOST_ATTEMPTS_ALLOWED;
    if (round <= allowed) return undefined;
    return new FlowMeshError(
      "FM_ERR_TASK_FAILED",
      `task "${task.name}" reached attempt ${round}, past the ${allowed} allowed (its retries plus ${LOST_ATTEMPTS_ALLOWED} lost attempts): earlier attempts were lost (their worker stopped or lost its lease)`,
      { details: { task: task.name, attempt: round, maxRetries: task.retry.maxRetries } },
    );
  }

  private finish(exec: Execution, pending: Promise<void> | undefined): void {
    if (pending === undefined) this.callbacks.settled(exec.released);
    else {
      pending.then(
        () => this.callbacks.settled(exec.released),
        (error: unknown) => this.callbacks.crashed(error, exec.released),
      );
    }
  }

  /**
   * Async backends: the handler settled and its outcome report is under way:
   * the worker may free the slot now instead of after the round trip.
   */
  private release(exec: Execution): void {
    const release = this.callbacks.release;
    if (release !== undefined && !exec.released) exec.released = release();
  }

  /** Debug logging on? Re-evaluated only when the logger's level changes. */
  private debugEnabled(): boolean {
    // pino's numeric level is a plain read; its `level` getter is not.
    const logger = this.rt.logger as Logger & { levelVal?: number };
    const level = logger.levelVal ?? logger.level;
    if (level !== this.loggerLevel) {
      this.loggerLevel = level;
      this.debug = isLevelEnabled(logger, "debug");
    }
    return this.debug;
  }

  /** Most claims in a row belong to one workflow: skip the registry lookup for those. */
  private workflowOf(claimed: ClaimedTask): RegisteredWorkflow | undefined {
    const last = this.lastWorkflow;
    if (last !== undefined && last.plan.name === claimed.workflow && last.plan.version === claimed.version)
      return last;
    const found = this.rt.registry.find(claimed.workflow, claimed.version);
    if (found !== undefined) this.lastWorkflow = found;
    return found;
  }

  private async runWithBeforeTask(
    exec: Execution,
    workflow: RegisteredWorkflow,
    task: PlannedTask,
  ): Promise<void> {
    let output: unknown;
    let skipped = false;
    try {
      const decision = await this.rt.hooks.beforeTask.promise(exec);
      if (decision !== undefined && "skip" in decision) {
        skipped = true;
        output = decision.output;
      } else if (decision !== undefined) {
        throw new FlowMeshError(
          "FM_ERR_TASK_REFUSED",
          `task "${task.name}" was refused: ${decision.refuse}`,
          {
            details: { task: task.name },
          },
        );
      } else {
        output = await this.invoke(exec, task, workflow.handlers[task.index]!);
      }
    } catch (error) {
      return this.onError(exec, workflow, task, error);
    }
    return this.onOutput(exec, workflow, output, skipped);
  }

  private onOutput(
    exec: Execution,
    workflow: RegisteredWorkflow,
    output: unknown,
    skipped: boolean,
  ): Promise<void> | undefined {
    const durationMs = performance.now() - exec.startedAt;
    if (exec.lost) return this.leaseLost(exec);
    const sync = this.sync;
    if (sync !== undefined) {
      const request = this.completion;
      request.output = output;
      request.durationMs = durationMs;
      request.skipped = skipped;
      this.syncRun = exec.runId;
      const result = sync.completeSync(exec.claimed, request);
      this.syncRun = undefined;
      request.output = undefined;
      return this.succeeded(exec, workflow, output, durationMs, skipped, result);
    }
    const runId = this.mark(exec.runId);
    const pending = this.rt.coordinator
      .complete(exec.claimed, { output, durationMs, skipped })
      .then(
        (result) => this.succeeded(exec, workflow, output, durationMs, skipped, result),
        (error: unknown) => {
          // Not reported (backend down): stop heartbeating the lease so it expires and the task runs again.
          this.active.delete(exec);
          throw error;
        },
      )
      .finally(() => this.unmark(runId));
    this.release(exec);
    return pending;
  }

  /**
   * True while this executor is reporting an outcome of the run: a
   * `run-finished` signal arriving meanwhile is left for it, so a run's
   * waiters are released only after the hooks that follow its last task.
   */
  isFinishing(runId: string): boolean {
    return this.syncRun === runId || this.finishing.has(runId);
  }

  private mark(runId: string): string {
    this.finishing.set(runId, (this.finishing.get(runId) ?? 0) + 1);
    return runId;
  }

  private unmark(runId: string): void {
    const count = this.finishing.get(runId) ?? 0;
    if (count > 1) {
      this.finishing.set(runId, count - 1);
      return;
    }
    this.finishing.delete(runId);
    this.rt.outcomeReported(runId);
  }

  private onError(
    exec: Execution,
    workflow: RegisteredWorkflow,
    task: PlannedTask,
    error: unknown,
  ): Promise<void> | undefined {
    const durationMs = performance.now() - exec.startedAt;
    if (exec.lost) return this.leaseLost(exec);
    // The call to the backend is issued before the first await: free the slot after it.
    const pending = this.failed(exec, workflow, task, error, durationMs);
    this.release(exec);
    return pending;
  }

  /** Calls the handler; with a timeout, races it against a timer that aborts the attempt. */
  private invoke(exec: Execution, task: PlannedTask, handler: TaskHandler): unknown {
    const timeoutMs = task.timeoutMs;
    if (timeoutMs === undefined) return handler(exec);
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        const error = new FlowMeshError(
          "FM_ERR_TASK_TIMEOUT",
          `task "${task.name}" timed out after ${timeoutMs} ms (attempt ${exec.attempt})`,
          { details: { task: task.name, timeoutMs, attempt: exec.attempt } },
        );
        exec.abort(error);
        reject(error);
      }, timeoutMs);
      // A result that arrives after the deadline settles an already-rejected promise: discarded.
      new Promise<unknown>((res) => res(handler(exec))).then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          // Passed on as thrown, Error or not, exactly like the path without a timeout.
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
          reject(error);
        },
      );
    });
  }

  private succeeded(
    exec: Execution,
    workflow: RegisteredWorkflow,
    output: unknown,
    durationMs: number,
    skipped: boolean,
    result: OutcomeResult,
  ): Promise<void> | undefined {
    const rt = this.rt;
    this.active.delete(exec);
    if (!result.ok) return this.leaseLost(exec);
    if (rt.events.listenerCount("task:succeeded") > 0) {
      rt.events.emit("task:succeeded", {
        runId: exec.runId,
        workflow: exec.workflow,
        task: exec.taskName,
        attempt: exec.attempt,
        durationMs,
        queueWaitMs: queueWaitMs(exec),
        skipped,
      });
    }
    if (this.debugEnabled()) {
      rt.logger.debug(
        {
          workflow_id: exec.runId,
          task_name: exec.taskName,
          attempt: exec.attempt,
          duration_ms: round(durationMs),
        },
        skipped ? "task skipped" : "task succeeded",
      );
    }
    if (isTapped(rt.hooks.afterTask)) {
      // The output is committed: an afterTask error cannot undo it, so it is reported, not thrown.
      return rt.hooks.afterTask
        .promise(
          exec,
          { status: skipped ? "skipped" : "succeeded", output, durationMs, attempt: exec.attempt },
          { name: workflow.plan.name, version: workflow.plan.version, runId: exec.runId },
        )
        .catch((error: unknown) => rt.hookError("afterTask", error))
        .then(() =>
          result.runStatus === undefined
            ? undefined
            : rt.runFinished(exec.runId, exec.workflow, result.runStatus, result),
        );
    }
    if (result.runStatus !== undefined)
      return rt.runFinished(exec.runId, exec.workflow, result.runStatus, result);
    return undefined;
  }

  private async failed(
    exec: Execution,
    workflow: RegisteredWorkflow,
    task: PlannedTask,
    error: unknown,
    durationMs: number,
  ): Promise<void> {
    const rt = this.rt;
    if (isRetryLater(error)) return this.retryLater(exec, error, durationMs);
    const timedOut = error instanceof FlowMeshError && error.code === "FM_ERR_TASK_TIMEOUT";
    const roundAttempt = exec.claimed.roundAttempt ?? exec.attempt;
    const retryable =
      shouldRetry(task.retry, roundAttempt, error) &&
      !(
        error instanceof FlowMeshError &&
        (error.code === "FM_ERR_TASK_REFUSED" || error.code === "FM_ERR_TASK_FAILED")
      );
    const serialized = serializeError(error);
    if (retryable) {
      const delayMs = computeBackoffMs(task.retry, roundAttempt);
      const reported = this.reportFailure(exec, {
        error: serialized,
        durationMs,
        retryDelayMs: delayMs,
      });
      const result = isPromiseLike(reported) ? await reported : reported;
      if (!result.ok) return this.leaseLost(exec);
      rt.logger.info(
        {
          workflow_id: exec.runId,
          task_name: exec.taskName,
          attempt: exec.attempt,
          duration_ms: round(durationMs),
          delay_ms: delayMs,
          err: serialized,
        },
        `task attempt failed, retrying in ${delayMs} ms`,
      );
      if (rt.events.listenerCount("task:failed") > 0) {
        rt.events.emit("task:failed", {
          ...taskEvent(exec),
          durationMs,
          queueWaitMs: queueWaitMs(exec),
          error,
          timedOut,
          final: false,
        });
      }
      if (rt.events.listenerCount("task:retrying") > 0)
        rt.events.emit("task:retrying", { ...taskEvent(exec), delayMs, error });
      if (isTapped(rt.hooks.onRetry)) {
        await rt.hooks.onRetry
          .promise(exec, { error, attempt: exec.attempt, delayMs })
          .catch((hookError: unknown) => rt.hookError("onRetry", hookError));
      }
      return;
    }
    const runId = this.mark(exec.runId);
    try {
      await this.failedForGood(exec, workflow, task, error, serialized, durationMs, timedOut);
    } finally {
      this.unmark(runId);
    }
  }

  /**
   * Reports a failed attempt. The attempt stays in the heartbeat set until the
   * backend acknowledged or refused it (or the call failed: then the lease is
   * left to expire and the task runs again). On the synchronous path the
   * answer comes in this turn, so the caller emits the attempt's events
   * before anything else runs: a claim (which promotes due retries) cannot
   * start the task's retry first.
   */
  private reportFailure(exec: Execution, request: FailRequest): OutcomeResult | Promise<OutcomeResult> {
    const sync = this.sync;
    if (sync?.failSync !== undefined) {
      try {
        return sync.failSync(exec.claimed, request);
      } finally {
        this.active.delete(exec);
      }
    }
    return this.rt.coordinator.fail(exec.claimed, request).finally(() => this.active.delete(exec));
  }

  /**
   * The attempt did not really happen (a circuit breaker failed it fast): the
   * task is queued again after the delay the error asks for, and the backend
   * refunds the attempt, so the retry policy is not used up while the
   * downstream service is known to be down. The run's timeout still applies.
   */
  private async retryLater(exec: Execution, error: RetryLater, durationMs: number): Promise<void> {
    const rt = this.rt;
    const delayMs = retryLaterDelayMs(error);
    const serialized = serializeError(error);
    const reported = this.reportFailure(exec, {
      error: serialized,
      durationMs,
      retryDelayMs: delayMs,
      refundAttempt: true,
    });
    const result = isPromiseLike(reported) ? await reported : reported;
    if (!result.ok) return this.leaseLost(exec);
    rt.logger.info(
      {
        workflow_id: exec.runId,
        task_name: exec.taskName,
        attempt: exec.attempt,
        delay_ms: delayMs,
        err: serialized,
      },
      `task deferred without using an attempt, retrying in ${delayMs} ms`,
    );
    if (rt.events.listenerCount("task:retrying") > 0)
      rt.events.emit("task:retrying", { ...taskEvent(exec), delayMs, error });
    if (isTapped(rt.hooks.onRetry)) {
      await rt.hooks.onRetry
        .promise(exec, { error, attempt: exec.attempt, delayMs })
        .catch((hookError: unknown) => rt.hookError("onRetry", hookError));
    }
  }

  private async failedForGood(
    exec: Execution,
    workflow: RegisteredWorkflow,
    task: PlannedTask,
    error: unknown,
    serialized: SerializedError,
    durationMs: number,
    timedOut: boolean,
  ): Promise<void> {
    const rt = this.rt;
    const downstream = workflow.plan.downstreamOf(task.name);
    const reported = this.reportFailure(exec, { error: serialized, durationMs, downstream });
    const result = isPromiseLike(reported) ? await reported : reported;
    if (!result.ok) return this.leaseLost(exec);
    rt.logger.warn(
      {
        workflow_id: exec.runId,
        task_name: exec.taskName,
        attempt: exec.attempt,
        duration_ms: round(durationMs),
        err: serialized,
      },
      "task failed",
    );
    if (rt.events.listenerCount("task:failed") > 0) {
      rt.events.emit("task:failed", {
        ...taskEvent(exec),
        durationMs,
        queueWaitMs: queueWaitMs(exec),
        error,
        timedOut,
        final: true,
      });
    }
    if (isTapped(rt.hooks.onFailure)) {
      await rt.hooks.onFailure
        .promise(exec, { error, durationMs, attempt: exec.attempt, timedOut })
        .catch((hookError: unknown) => rt.hookError("onFailure", hookError));
    }
    if (result.runStatus !== undefined) await rt.runFinished(exec.runId, exec.workflow, result.runStatus);
  }

  private leaseLost(exec: Execution): undefined {
    const rt = this.rt;
    this.active.delete(exec);
    exec.lost = true;
    if (this.debugEnabled()) {
      rt.logger.debug(
        { workflow_id: exec.runId, task_name: exec.taskName, attempt: exec.attempt },
        "lease lost: outcome discarded",
      );
    }
    if (rt.events.listenerCount("task:lease_lost") > 0) {
      rt.events.emit("task:lease_lost", { ...taskEvent(exec), queueWaitMs: queueWaitMs(exec) });
    }
    return undefined;
  }

  /** A claimed task of a workflow this process does not know: fail it for good, marking its downstream. */
  private async failUnknown(exec: Execution): Promise<void> {
    const { claimed } = exec;
    const error = new FlowMeshError(
      "FM_ERR_UNKNOWN_WORKFLOW",
      `worker has no workflow "${claimed.workflow}" version "${claimed.version}" with task "${claimed.task}": register it in every worker`,
      { details: { workflow: claimed.workflow, version: claimed.version, task: claimed.task } },
    );
    const run = await this.rt.coordinator.getRun(claimed.runId);
    const downstream = run === undefined ? [] : downstreamInRecord(run.tasks, claimed.task);
    this.rt.logger.error({ workflow_id: claimed.runId, task_name: claimed.task }, error.message);
    const result = await this.rt.coordinator.fail(claimed, {
      error: serializeError(error),
      durationMs: 0,
      downstream,
    });
    if (result.ok && result.runStatus !== undefined)
      await this.rt.runFinished(claimed.runId, claimed.workflow, result.runStatus);
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function"
  );
}

/**
 * The fields every task event carries. The hot events (`task:started`,
 * `task:succeeded`) spell them out instead: spreading this object into each
 * payload cost more than the rest of an attempt's bookkeeping.
 */
function taskEvent(exec: Execution): { runId: string; workflow: string; task: string; attempt: number } {
  return { runId: exec.runId, workflow: exec.workflow, task: exec.taskName, attempt: exec.attempt };
}

/** Ready to started (wall clock, as `readyAt`), from the start reading the attempt already took. */
function queueWaitMs(exec: Execution): number {
  return Math.max(0, wallClockAt(exec.startedAt) - exec.claimed.readyAt);
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
