/**
 * In-process run state shared by the memory coordinator and the local
 * coordinator that wraps a RunStore: the mutable per-run and per-task records,
 * the compiled graph, and conversion to and from the public {@link RunRecord}.
 */
import { FlowMeshError, type SerializedError } from "../errors.js";
import { isTerminalStatus } from "../model/status.js";
import type { RunEvent, RunEventType, RunRecord, RunStatus, TaskRecord, TaskStatus } from "../types.js";
import type { GraphTask, RunGraph, RunSummary } from "./types.js";

/** A graph with indices resolved once and shared by every run of it. */
export interface CompiledGraph {
  readonly tasks: readonly GraphTask[];
  readonly index: ReadonlyMap<string, number>;
  readonly deps: readonly (readonly number[])[];
  readonly dependents: readonly (readonly number[])[];
  readonly taskOrder: readonly string[];
  /** Tasks with no dependencies. */
  readonly roots: readonly number[];
  /** Every task name as a key (value undefined), in order: a template for outputs objects. */
  readonly outputKeys: Readonly<Record<string, unknown>>;
  /** Number of dependencies per task. */
  readonly depCounts: Int32Array;
  /** `size` undefineds, copied with slice() for each run's outputs. */
  readonly emptyOutputs: readonly unknown[];
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
      if (d === undefined) {
        throw new FlowMeshError(
          "FM_ERR_INVALID_DEFINITION",
          `run graph: task "${task.name}" depends on unknown task "${name}"`,
          { details: { task: task.name, dependency: name } },
        );
      }
      dependents[d]!.push(i);
      return d;
    }),
  );
  result = {
    tasks: graph.tasks,
    index,
    deps,
    dependents,
    taskOrder: graph.tasks.map((t) => t.name),
    roots: deps.flatMap((d, i) => (d.length === 0 ? [i] : [])),
    outputKeys: Object.fromEntries(graph.tasks.map((t) => [t.name, undefined])),
    depCounts: Int32Array.from(deps, (d) => d.length),
    emptyOutputs: new Array<unknown>(deps.length).fill(undefined),
  };
  compiled.set(graph, result);
  return result;
}

/**
 * A run's event log, stored column-wise: a busy engine logs two or three events
 * per task, and one object per event would dominate its garbage collection.
 */
export class EventLog {
  /** Per event from `intAt`: type code, task index (-1 for run events), attempt. */
  private ints: Int32Array;
  private intAt: number;
  /** Per event from `numAt`: time, duration (NaN when none). */
  private nums: Float64Array;
  private numAt: number;
  private capacity: number;
  private count = 0;
  /** Errors are rare: kept by position. */
  private errors: Map<number, SerializedError> | undefined = undefined;

  /**
   * Room for `capacity` events in the run's own arrays, from the given offsets
   * (a run logs about two per task): no allocation on the hot path.
   */
  constructor(capacity: number, ints: Int32Array, intAt: number, nums: Float64Array, numAt: number) {
    this.capacity = capacity;
    this.ints = ints;
    this.intAt = intAt;
    this.nums = nums;
    this.numAt = numAt;
  }

  get length(): number {
    return this.count;
  }

  push(
    type: RunEventType,
    at: number,
    task: number,
    attempt: number,
    durationMs: number,
    error: SerializedError | undefined,
  ): void {
    const i = this.count++;
    if (i >= this.capacity) this.grow();
    if (error !== undefined) (this.errors ??= new Map()).set(i, error);
    const ints = this.intAt + i * 3;
    this.ints[ints] = EVENT_CODE[type];
    this.ints[ints + 1] = task;
    this.ints[ints + 2] = attempt;
    const nums = this.numAt + i * 2;
    this.nums[nums] = at;
    this.nums[nums + 1] = durationMs;
  }

  /** Moves the log to arrays of its own, twice as large (retries and recoveries log more). */
  private grow(): void {
    const capacity = this.capacity * 2;
    const ints = new Int32Array(capacity * 3);
    ints.set(this.ints.subarray(this.intAt, this.intAt + this.capacity * 3));
    const nums = new Float64Array(capacity * 2);
    nums.set(this.nums.subarray(this.numAt, this.numAt + this.capacity * 2));
    this.ints = ints;
    this.nums = nums;
    this.intAt = 0;
    this.numAt = 0;
    this.capacity = capacity;
  }

  /** Events at positions [from, to) in public form; ids are 1-based positions. */
  read(runId: string, taskOrder: readonly string[], from: number, to: number): RunEvent[] {
    const out: RunEvent[] = [];
    for (let i = Math.max(0, from); i < Math.min(to, this.length); i++) {
      const ints = this.intAt + i * 3;
      const nums = this.numAt + i * 2;
      const event: RunEvent = {
        id: String(i + 1),
        runId,
        type: EVENT_TYPES[this.ints[ints]!]!,
        at: this.nums[nums]!,
      };
      const task = this.ints[ints + 1]!;
      if (task >= 0) {
        event.task = taskOrder[task]!;
        event.attempt = this.ints[ints + 2]!;
      }
      const duration = this.nums[nums + 1]!;
      if (!Number.isNaN(duration)) event.durationMs = duration;
      const error = this.errors?.get(i);
      if (error !== undefined) event.error = error;
      out.push(event);
    }
    return out;
  }
}

const EVENT_TYPES: readonly RunEventType[] = [
  "run:created",
  "run:started",
  "run:succeeded",
  "run:failed",
  "run:cancelled",
  "run:timed_out",
  "run:retried",
  "run:resumed",
  "task:started",
  "task:succeeded",
  "task:skipped",
  "task:failed",
  "task:retrying",
  "task:upstream_failed",
  "task:lease_lost",
];
const EVENT_CODE = Object.fromEntries(EVENT_TYPES.map((type, i) => [type, i])) as Record<
  RunEventType,
  number
>;

const SLAB_BYTES = 1 << 20;
let slabF64 = new Float64Array(0);
let slabI32 = new Int32Array(0);
let slabUsed = SLAB_BYTES;

/**
 * Hands out run storage from 1 MiB slabs: `doubles` Float64 then `ints` Int32
 * slots, 8-byte aligned. Allocating an ArrayBuffer per run costs
 * microseconds; a subarray of a slab's view costs a few hundred nanoseconds.
 * A slab lives as long as any run carved from it; the memory backend drops
 * finished runs oldest first, so old slabs empty out in turn.
 */
function carve(doubles: number, ints: number): { f64: Float64Array; i32: Int32Array } {
  const bytes = doubles * 8 + ((ints * 4 + 7) & ~7);
  if (bytes > SLAB_BYTES / 8) {
    const buffer = new ArrayBuffer(bytes);
    return { f64: new Float64Array(buffer, 0, doubles), i32: new Int32Array(buffer, doubles * 8, ints) };
  }
  if (slabUsed + bytes > SLAB_BYTES) {
    const slab = new ArrayBuffer(SLAB_BYTES);
    slabF64 = new Float64Array(slab);
    slabI32 = new Int32Array(slab);
    slabUsed = 0;
  }
  const at = slabUsed;
  slabUsed += bytes;
  const intAt = (at + doubles * 8) / 4;
  return { f64: slabF64.subarray(at / 8, at / 8 + doubles), i32: slabI32.subarray(intAt, intAt + ints) };
}

/** Task statuses by code: the per-task state is kept in flat arrays, not one object per task. */
export const TASK_STATUSES: readonly TaskStatus[] = [
  "pending",
  "ready",
  "running",
  "retrying",
  "succeeded",
  "skipped",
  "failed",
  "upstream_failed",
  "cancelled",
];
export const PENDING = 0;
export const READY = 1;
export const RUNNING = 2;
export const RETRYING = 3;
export const SUCCEEDED = 4;
export const SKIPPED = 5;
export const FAILED = 6;
export const UPSTREAM_FAILED = 7;
export const CANCELLED = 8;

/**
 * Per-task numeric columns, `TIME_FIELDS` doubles per task. Every column
 * starts at 0, which is what fresh slab memory holds, so a new run needs no
 * initialisation: 0 means "not set" for times (no real timestamp is 0).
 */
export const LEASE_EXPIRES = 0;
export const READY_AT = 1;
export const STARTED_AT = 2;
export const ENDED_AT = 3;
export const DURATION = 4;
export const RETRY_AT = 5;
const TIME_FIELDS = 6;
/** Int columns per task: status, attempts, pending dependencies, queued, first attempt, refunds. */
const INT_FIELDS = 6;

/**
 * One run's state. Tasks are indices into flat arrays (status, attempts,
 * pending dependencies, times, outputs): a run of 50 tasks is a handful of
 * arrays rather than 50 objects, which keeps both memory and the garbage
 * collector's work per task small.
 */
export class RunState {
  status: RunStatus = "pending";
  readonly size: number;
  /**
   * Status code per task (see {@link TASK_STATUSES}) in its first `size`
   * entries; then attempts, pending dependencies, queued flags and first
   * attempts (see the accessors), then the event log.
   */
  readonly statuses: Int32Array;
  /** TIME_FIELDS doubles per task, then the event log. */
  readonly times: Float64Array;
  readonly outputs: unknown[];
  /** Errors per task, allocated on the first one. */
  errors: (SerializedError | undefined)[] | undefined = undefined;
  /** Tasks not yet in a terminal status. */
  remaining: number;
  error: (SerializedError & { task?: string }) | undefined = undefined;
  startedAt: number | undefined = undefined;
  endedAt: number | undefined = undefined;
  deadlineAt: number | undefined = undefined;
  requestHash: string | undefined = undefined;
  namespace = "default";
  readonly events: EventLog;
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
    const n = graph.tasks.length;
    this.size = n;
    this.remaining = n;
    // One stretch of a shared slab per run holds every number: outside the JS
    // heap, so the garbage collector never copies it, and two views per run.
    const events = n * 2 + 4;
    const numCount = n * TIME_FIELDS + events * 2;
    // Fresh slab memory is zeroed, and zero is every column's initial value (PENDING is 0).
    const { f64: times, i32: ints } = carve(numCount, n * INT_FIELDS + events * 3);
    this.times = times;
    this.statuses = ints;
    this.events = new EventLog(events, ints, n * INT_FIELDS, times, n * TIME_FIELDS);
    this.outputs = graph.emptyOutputs.slice();
  }

  get terminal(): boolean {
    return isTerminalStatus(this.status);
  }

  /** Index of a task by name, or -1. */
  indexOf(name: string): number {
    return this.graph.index.get(name) ?? -1;
  }

  name(task: number): string {
    return this.graph.taskOrder[task]!;
  }

  priority(task: number): number {
    return this.graph.tasks[task]!.priority;
  }

  attempts(task: number): number {
    return this.statuses[this.size + task]!;
  }

  setAttempts(task: number, attempts: number): void {
    this.statuses[this.size + task] = attempts;
  }

  /** Dependencies of the task not yet succeeded (stored as the count that did, which starts at 0). */
  pendingDeps(task: number): number {
    return this.graph.depCounts[task]! - this.statuses[2 * this.size + task]!;
  }

  setPendingDeps(task: number, count: number): void {
    this.statuses[2 * this.size + task] = this.graph.depCounts[task]! - count;
  }

  /** Counts one more dependency of the task as succeeded; returns how many are still pending. */
  satisfyDep(task: number): number {
    const at = 2 * this.size + task;
    return this.graph.depCounts[task]! - ++this.statuses[at]!;
  }

  /** Counts the task's dependencies that have not succeeded (or been skipped). */
  unmetDeps(task: number): number {
    let unmet = 0;
    for (const d of this.graph.deps[task]!) {
      const status = this.statuses[d];
      if (status !== SUCCEEDED && status !== SKIPPED) unmet++;
    }
    return unmet;
  }

  /** True while an entry for the task sits in the ready queue (possibly stale). */
  queued(task: number): boolean {
    return this.statuses[3 * this.size + task] === 1;
  }

  setQueued(task: number, queued: boolean): void {
    this.statuses[3 * this.size + task] = queued ? 1 : 0;
  }

  /** The attempt that started the task's current retry round (1, or the first after a `retryRun`); stored minus 1. */
  firstAttempt(task: number): number {
    return this.statuses[4 * this.size + task]! + 1;
  }

  setFirstAttempt(task: number, attempt: number): void {
    this.statuses[4 * this.size + task] = attempt - 1;
  }

  /**
   * Claims of the task whose attempt was refunded (failed fast without running,
   * `FailRequest.refundAttempt`). Attempts plus refunds counts every claim, so
   * lease tokens keep growing even when the attempt number repeats.
   */
  refunds(task: number): number {
    return this.statuses[5 * this.size + task]!;
  }

  setRefunds(task: number, refunds: number): void {
    this.statuses[5 * this.size + task] = refunds;
  }

  /** Claims of the task so far: the serial of its current lease. */
  claims(task: number): number {
    return this.attempts(task) + this.refunds(task);
  }

  time(task: number, field: number): number {
    return this.times[task * TIME_FIELDS + field]!;
  }

  setTime(task: number, field: number, value: number): void {
    this.times[task * TIME_FIELDS + field] = value;
  }

  error_(task: number): SerializedError | undefined {
    return this.errors?.[task];
  }

  setError(task: number, error: SerializedError | undefined): void {
    if (error === undefined && this.errors === undefined) return;
    (this.errors ??= new Array<SerializedError | undefined>(this.size).fill(undefined))[task] = error;
  }

  /** Logs a run event (task -1) or a task event. */
  log(type: RunEventType, at: number, task = -1, durationMs = NaN, error?: SerializedError): void {
    this.events.push(type, at, task, task < 0 ? 0 : this.attempts(task), durationMs, error);
  }
}

/** True for the task status codes that end a task. */
export function isTaskDone(status: number): boolean {
  return status >= SUCCEEDED;
}

/** The run without per-task records. */
export function summarizeRun(run: RunState): RunSummary {
  return {
    id: run.id,
    workflow: run.workflow,
    version: run.version,
    namespace: run.namespace,
    status: run.status,
    input: run.input,
    error: run.error,
    idempotencyKey: run.idempotencyKey,
    requestHash: run.requestHash,
    startedBy: run.startedBy,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    deadlineAt: run.deadlineAt,
  };
}

/** Builds the public record; outputs are shared by reference, everything else is copied. */
export function snapshotRun(run: RunState): RunRecord {
  const tasks: Record<string, TaskRecord> = {};
  const specs = run.graph.tasks;
  for (let i = 0; i < run.size; i++) {
    const spec = specs[i]!;
    const status = run.statuses[i]!;
    // One literal shape for every record: cheap to build; absent fields stay undefined.
    tasks[spec.name] = {
      name: spec.name,
      status: TASK_STATUSES[status]!,
      dependsOn: spec.dependsOn,
      priority: spec.priority,
      attempts: run.attempts(i),
      firstAttempt: run.firstAttempt(i),
      output: run.outputs[i],
      error: run.error_(i),
      readyAt: orUndefined(run.time(i, READY_AT)),
      startedAt: orUndefined(run.time(i, STARTED_AT)),
      endedAt: orUndefined(run.time(i, ENDED_AT)),
      // A duration exists once an attempt ended: 0 alone cannot tell "unset" from "instant".
      durationMs: status >= SUCCEEDED || status === RETRYING ? run.time(i, DURATION) : undefined,
      retryAt: status === RETRYING ? orUndefined(run.time(i, RETRY_AT)) : undefined,
    };
  }
  return { ...summarizeRun(run), tasks, taskOrder: run.graph.taskOrder };
}

function orUndefined(value: number): number | undefined {
  return value === 0 ? undefined : value;
}
