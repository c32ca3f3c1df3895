/**
 * Wraps a {@link RunStore} into a coordinator: the queue lives in process (the
 * memory coordinator's state machine), and every state change is saved to the
 * store before it is acknowledged. On start, unfinished runs are loaded back:
 * saved outputs are kept, interrupted attempts run again.
 */
import { MemoryCoordinator, type MemoryCoordinatorOptions } from "./memory-coordinator.js";
import { pageRuns } from "./page-runs.js";
import { compileGraph, isTaskDone, isTerminal, RunState, snapshotRun, TaskState } from "./run-state.js";
import type { RunStore } from "./types.js";
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
      if (isTerminal(record.status) || this.runs.has(record.id)) continue;
      const run = restore(record, now);
      this.adopt(run);
      for (const task of run.tasks) {
        if (task.status === "ready") this.enqueue(task, now);
        else if (task.status === "retrying") this.delay(task);
      }
      await this.persist(run);
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

  override async getRun(runId: string): Promise<RunRecord | undefined> {
    return (await super.getRun(runId)) ?? (await this.store.get(runId));
  }

  override async listRuns(filter: RunFilter): Promise<RunPage> {
    const live = new Map<string, RunRecord>();
    for (const run of this.runs.values()) live.set(run.id, snapshotRun(run));
    for (const record of await this.store.list()) if (!live.has(record.id)) live.set(record.id, record);
    return pageRuns(live.values(), filter, (r) => r, (r) => r);
  }

  override async close(): Promise<void> {
    await Promise.all([...this.runs.values()].map((run) => run.activeSave ?? run.queuedSave));
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
  run.error = record.error;
  run.remaining = 0;
  graph.taskOrder.forEach((name, i) => {
    const saved = record.tasks[name]!;
    const status = saved.status === "running" ? "ready" : saved.status;
    const task = new TaskState(run, i, status, 0);
    task.attempts = saved.attempts;
    task.output = saved.output;
    task.error = saved.error;
    task.startedAt = saved.startedAt;
    task.endedAt = saved.endedAt;
    task.durationMs = saved.durationMs;
    task.retryAt = saved.retryAt;
    task.readyAt = saved.readyAt;
    if (!isTaskDone(status)) run.remaining++;
    run.tasks.push(task);
  });
  for (const task of run.tasks) {
    task.pendingDeps = graph.deps[task.index]!.filter((d) => {
      const status = run.tasks[d]!.status;
      return status !== "succeeded" && status !== "skipped";
    }).length;
    if (task.status === "pending" && task.pendingDeps === 0) task.status = "ready";
  }
  run.log("run:resumed", now);
  return run;
}
