/**
 * Wraps a {@link RunStore} into a coordinator: the queue lives in process (the
 * memory coordinator's state machine), and every state change is saved to the
 * store before it is acknowledged. On start, unfinished runs are loaded back:
 * saved outputs are kept, interrupted attempts run again.
 */
import { MemoryCoordinator, type MemoryCoordinatorOptions } from "./memory-coordinator.js";
import { pageRuns } from "./page-runs.js";
import {
  compileGraph,
  DURATION,
  ENDED_AT,
  isTaskDone,
  PENDING,
  READY,
  READY_AT,
  RETRY_AT,
  RETRYING,
  RunState,
  snapshotRun,
  STARTED_AT,
  TASK_STATUSES,
} from "./run-state.js";
import { isTerminalStatus } from "../model/status.js";
import { resultOf } from "./outputs.js";
import type { RetryRunRequest, RunResult, RunStore } from "./types.js";
import type { RunFilter, RunPage, RunRecord } from "../types.js";

export class LocalCoordinator extends MemoryCoordinator {
  override readonly kind: string = "local";

  constructor(
    private readonly store: RunStore,
    options: MemoryCoordinatorOptions = {},
  ) {
    // Finished runs live in the store; memory keeps only a few for quick reads.
    super({ maxFinishedRuns: 100, ...options });
  }

  /** Loads unfinished runs from the store and queues their remaining work. */
  async start(): Promise<void> {
    const now = this.now();
    for (const record of await this.store.list()) {
      this.indexIdempotencyKey(record);
      if (isTerminalStatus(record.status) || this.runs.has(record.id)) continue;
      const run = restore(record, now);
      this.adopt(run);
      for (let task = 0; task < run.size; task++) {
        if (run.statuses[task] === READY) this.enqueue(run, task, now);
        else if (run.statuses[task] === RETRYING) this.delay(run, task);
      }
      await this.save(run);
    }
  }

  protected override get durable(): boolean {
    return true;
  }

  protected override persist(run: RunState): Promise<void> {
    // Coalesce: a save queued but not started will write the latest state anyway.
    if (run.queuedSave !== undefined) return run.queuedSave;
    const previous = run.activeSave ?? Promise.resolve();
    const next: Promise<void> = previous
      .catch(() => undefined)
      .then(() => {
        run.queuedSave = undefined;
        run.activeSave = next;
        return this.store.save(snapshotRun(run));
      })
      .finally(() => {
        if (run.activeSave === next) run.activeSave = undefined;
      });
    run.queuedSave = next;
    return next;
  }

  /** Finished runs stay in the store, and so does their idempotency key. */
  protected override evicted(_run: RunState): void {}

  /** A finished run may live only in the store: bring it back into memory to re-open it. */
  override async retryRun(runId: string, request: RetryRunRequest): Promise<RunRecord> {
    if (!this.runs.has(runId)) {
      const stored = await this.store.get(runId);
      // Another retry may have brought it back while we read: use that one.
      if (stored !== undefined && !this.runs.has(runId)) this.adopt(restore(stored, this.now()));
    }
    return super.retryRun(runId, request);
  }

  override async getRun(runId: string): Promise<RunRecord | undefined> {
    return (await super.getRun(runId)) ?? (await this.store.get(runId));
  }

  override async getResult(runId: string): Promise<RunResult | undefined> {
    const live = await super.getResult(runId);
    if (live !== undefined) return live;
    const stored = await this.store.get(runId);
    if (stored === undefined) return undefined;
    return resultOf(stored);
  }

  override async listRuns(filter: RunFilter): Promise<RunPage> {
    const live = new Map<string, RunRecord>();
    for (const run of this.runs.values()) live.set(run.id, snapshotRun(run));
    for (const record of await this.store.list()) if (!live.has(record.id)) live.set(record.id, record);
    return pageRuns(
      live.values(),
      filter,
      (r) => r,
      (r) => r,
    );
  }

  override async close(): Promise<void> {
    await Promise.all([...this.runs.values()].flatMap((run) => run.queuedSave ?? run.activeSave ?? []));
    await super.close();
    await this.store.close?.();
  }
}

/** Rebuilds in-memory state from a saved record. Attempts that were running when the process died run again. */
function restore(record: RunRecord, now: number): RunState {
  const graph = compileGraph({
    tasks: record.taskOrder.map((name) => ({
      name,
      dependsOn: record.tasks[name]!.dependsOn,
      priority: record.tasks[name]!.priority,
    })),
  });
  const run = new RunState(
    record.id,
    record.workflow,
    record.version,
    record.input,
    graph,
    record.createdAt,
    record.idempotencyKey,
    record.startedBy,
    record.deadlineAt === undefined ? undefined : record.deadlineAt - record.createdAt,
  );
  run.status = record.status;
  run.startedAt = record.startedAt;
  run.deadlineAt = record.deadlineAt;
  run.requestHash = record.requestHash;
  // Records saved before namespaces existed belong to the default one.
  run.namespace = record.namespace ?? "default";
  run.error = record.error;
  run.remaining = 0;
  graph.taskOrder.forEach((name, task) => {
    const saved = record.tasks[name]!;
    const status = saved.status === "running" ? READY : TASK_STATUSES.indexOf(saved.status);
    run.statuses[task] = status;
    run.setAttempts(task, saved.attempts);
    run.setFirstAttempt(task, saved.firstAttempt ?? 1);
    run.outputs[task] = saved.output;
    run.setError(task, saved.error);
    run.setTime(task, READY_AT, saved.readyAt ?? 0);
    run.setTime(task, STARTED_AT, saved.startedAt ?? 0);
    run.setTime(task, ENDED_AT, saved.endedAt ?? 0);
    run.setTime(task, DURATION, saved.durationMs ?? 0);
    run.setTime(task, RETRY_AT, saved.retryAt ?? 0);
    if (!isTaskDone(status)) run.remaining++;
  });
  for (let task = 0; task < run.size; task++) {
    run.setPendingDeps(task, run.unmetDeps(task));
    if (run.statuses[task] === PENDING && run.pendingDeps(task) === 0) run.statuses[task] = READY;
  }
  run.log("run:resumed", now);
  return run;
}
