/**
 * In-process run state shared by the memory coordinator and the local
 * coordinator that wraps a RunStore: the mutable per-run and per-task records,
 * the compiled graph, and conversion to and from the public {@link RunRecord}.
 */
import type { SerializedError } from "../errors.js";
import type { RunEvent, RunEventType, RunRecord, RunStatus, TaskRecord, TaskStatus } from "../types.js";
import type { GraphTask, RunGraph } from "./types.js";

/** A graph with indices resolved once and shared by every run of it. */
export interface CompiledGraph {
  readonly tasks: readonly GraphTask[];
  readonly index: ReadonlyMap<string, number>;
  readonly deps: readonly (readonly number[])[];
  readonly dependents: readonly (readonly number[])[];
  readonly taskOrder: readonly string[];
}

const compiled = new WeakMap<RunGraph, CompiledGraph>();

/** Compiles a graph, memoized per graph object (core passes one object per workflow version). */
export function compileGraph(graph: RunGraph): CompiledGraph {
  let result = compiled.get(graph);
  if (result !== undefined) return result;
  const index = new Map<string, number>();
  graph.tasks.forEach((task, i) => index.set(task.name, i));
  const dependents: number[][] = graph.tasks.map(() => []);
  const deps = graph.tasks.map((task, i) =>
    task.dependsOn.map((name) => {
      const d = index.get(name);
      if (d === undefined) throw new Error(`graph task "${task.name}" depends on unknown task "${name}"`);
      dependents[d]!.push(i);
      return d;
    }),
  );
  result = { tasks: graph.tasks, index, deps, dependents, taskOrder: graph.tasks.map((t) => t.name) };
  compiled.set(graph, result);
  return result;
}

/**
 * A run's event log, stored column-wise: a busy engine logs two or three events
 * per task, and one object per event would dominate its garbage collection.
 */
export class EventLog {
  private readonly types: RunEventType[] = [];
  private readonly at: number[] = [];
  /** Task index, or -1 for run events. */
  private readonly task: number[] = [];
  private readonly attempt: number[] = [];
  /** NaN when the event has no duration. */
  private readonly durationMs: number[] = [];
  /** Errors are rare: kept by position. */
  private errors: Map<number, SerializedError> | undefined = undefined;

  get length(): number {
    return this.types.length;
  }

  push(type: RunEventType, at: number, task: number, attempt: number, durationMs: number, error: SerializedError | undefined): void {
    if (error !== undefined) (this.errors ??= new Map()).set(this.types.length, error);
    this.types.push(type);
    this.at.push(at);
    this.task.push(task);
    this.attempt.push(attempt);
    this.durationMs.push(durationMs);
  }

  /** Events at positions [from, to) in public form; ids are 1-based positions. */
  read(runId: string, taskOrder: readonly string[], from: number, to: number): RunEvent[] {
    const out: RunEvent[] = [];
    for (let i = Math.max(0, from); i < Math.min(to, this.types.length); i++) {
      const event: RunEvent = { id: String(i + 1), runId, type: this.types[i]!, at: this.at[i]! };
      const task = this.task[i]!;
      if (task >= 0) {
        event.task = taskOrder[task]!;
        event.attempt = this.attempt[i]!;
      }
      const duration = this.durationMs[i]!;
      if (!Number.isNaN(duration)) event.durationMs = duration;
      const error = this.errors?.get(i);
      if (error !== undefined) event.error = error;
      out.push(event);
    }
    return out;
  }
}

export class TaskState {
  status: TaskStatus;
  attempts = 0;
  output: unknown = undefined;
  error: SerializedError | undefined = undefined;
  token: string | undefined = undefined;
  leaseExpiresAt = 0;
  readyAt: number | undefined = undefined;
  startedAt: number | undefined = undefined;
  endedAt: number | undefined = undefined;
  durationMs: number | undefined = undefined;
  retryAt: number | undefined = undefined;
  /** Dependencies not yet succeeded. */
  pendingDeps: number;
  /** An entry for this task sits in the ready queue (possibly stale). */
  queued = false;

  constructor(
    readonly run: RunState,
    readonly index: number,
    status: TaskStatus,
    pendingDeps: number,
  ) {
    this.status = status;
    this.pendingDeps = pendingDeps;
  }

  get name(): string {
    return this.run.graph.taskOrder[this.index]!;
  }

  get priority(): number {
    return this.run.graph.tasks[this.index]!.priority;
  }
}

export class RunState {
  status: RunStatus = "pending";
  readonly tasks: TaskState[] = [];
  /** Tasks not yet in a terminal status. */
  remaining: number;
  error: (SerializedError & { task?: string }) | undefined = undefined;
  startedAt: number | undefined = undefined;
  endedAt: number | undefined = undefined;
  deadlineAt: number | undefined = undefined;
  readonly events = new EventLog();
  /** Persistence bookkeeping for stores that save whole records. */
  activeSave: Promise<void> | undefined = undefined;
  queuedSave: Promise<void> | undefined = undefined;

  constructor(
    readonly id: string,
    readonly workflow: string,
    readonly version: string,
    readonly input: unknown,
    readonly graph: CompiledGraph,
    readonly createdAt: number,
    readonly idempotencyKey: string | undefined,
    readonly startedBy: string | undefined,
    readonly timeoutMs: number | undefined,
  ) {
    this.remaining = graph.tasks.length;
  }

  get terminal(): boolean {
    return isTerminal(this.status);
  }

  task(name: string): TaskState | undefined {
    const i = this.graph.index.get(name);
    return i === undefined ? undefined : this.tasks[i];
  }

  log(type: RunEventType, at: number, task?: TaskState, durationMs?: number, error?: SerializedError): void {
    this.events.push(type, at, task === undefined ? -1 : task.index, task === undefined ? 0 : task.attempts, durationMs ?? NaN, error);
  }
}

export function isTerminal(status: RunStatus): boolean {
  return status === "succeeded" || status === "failed" || status === "cancelled" || status === "timed_out";
}

export function isTaskDone(status: TaskStatus): boolean {
  return (
    status === "succeeded" ||
    status === "skipped" ||
    status === "failed" ||
    status === "upstream_failed" ||
    status === "cancelled"
  );
}

/** Builds the public record; outputs are shared by reference, everything else is copied. */
export function snapshotRun(run: RunState): RunRecord {
  const tasks: Record<string, TaskRecord> = {};
  for (const t of run.tasks) {
    const record: TaskRecord = {
      name: t.name,
      status: t.status,
      dependsOn: run.graph.tasks[t.index]!.dependsOn,
      priority: t.priority,
      attempts: t.attempts,
    };
    if (t.output !== undefined) record.output = t.output;
    if (t.error !== undefined) record.error = t.error;
    if (t.readyAt !== undefined) record.readyAt = t.readyAt;
    if (t.startedAt !== undefined) record.startedAt = t.startedAt;
    if (t.endedAt !== undefined) record.endedAt = t.endedAt;
    if (t.durationMs !== undefined) record.durationMs = t.durationMs;
    if (t.retryAt !== undefined && t.status === "retrying") record.retryAt = t.retryAt;
    tasks[t.name] = record;
  }
  const record: RunRecord = {
    id: run.id,
    workflow: run.workflow,
    version: run.version,
    status: run.status,
    input: run.input,
    tasks,
    taskOrder: run.graph.taskOrder,
    createdAt: run.createdAt,
  };
  if (run.error !== undefined) record.error = run.error;
  if (run.idempotencyKey !== undefined) record.idempotencyKey = run.idempotencyKey;
  if (run.startedBy !== undefined) record.startedBy = run.startedBy;
  if (run.startedAt !== undefined) record.startedAt = run.startedAt;
  if (run.endedAt !== undefined) record.endedAt = run.endedAt;
  if (run.deadlineAt !== undefined) record.deadlineAt = run.deadlineAt;
  return record;
}
