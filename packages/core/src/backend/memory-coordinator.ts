/**
 * The default backend: every run in this process's memory. It implements the
 * full {@link Coordinator} contract (leases, fencing, recovery, event log), so
 * the engine runs one code path whatever the backend, and it is the model the
 * Redis and Postgres backends are checked against by the conformance suite.
 */
import { FlowMeshError } from "../errors.js";
import type { RunEvent, RunFilter, RunPage, RunRecord, TerminalRunStatus } from "../types.js";
import { DelayQueue } from "./delay-queue.js";
import { pageRuns } from "./page-runs.js";
import { MemoryClaim, NO_DEPS, tokenOf } from "./memory-claim.js";
import { ReadyQueue } from "./ready-queue.js";
import {
  CANCELLED,
  compileGraph,
  DURATION,
  ENDED_AT,
  FAILED,
  LEASE_EXPIRES,
  PENDING,
  READY,
  READY_AT,
  RETRY_AT,
  RETRYING,
  RUNNING,
  RunState,
  SKIPPED,
  snapshotRun,
  STARTED_AT,
  summarizeRun,
  SUCCEEDED,
  UPSTREAM_FAILED,
} from "./run-state.js";
import type {
  ClaimedTask,
  ClaimRequest,
  CompleteRequest,
  Coordinator,
  CoordinatorSignal,
  CreateRunRequest,
  CreateRunResult,
  FailRequest,
  FinishRunRequest,
  LeaseRef,
  OutcomeResult,
  ReadEventsOptions,
  RecoverResult,
  RetryRunRequest,
  RunResult,
  RunSummary,
  SyncCoordinatorOps,
} from "./types.js";

export interface MemoryCoordinatorOptions {
  /** Clock in epoch ms; tests inject a fake one. @default Date.now */
  now?: () => number;
  /**
   * Finished runs kept in memory; the oldest are dropped past this count so a
   * long-lived process does not grow without bound. At least 1. @default 10000
   */
  maxFinishedRuns?: number;
}

const OK: OutcomeResult = { ok: true };
const LOST: OutcomeResult = { ok: false, reason: "lease_lost" };
const WORK: CoordinatorSignal = { type: "work" };
const NOTHING: ClaimedTask[] = Object.freeze([]) as unknown as ClaimedTask[];
const FINISHED: Record<TerminalRunStatus, OutcomeResult> = {
  succeeded: { ok: true, runStatus: "succeeded" },
  failed: { ok: true, runStatus: "failed" },
  cancelled: { ok: true, runStatus: "cancelled" },
  timed_out: { ok: true, runStatus: "timed_out" },
};

interface Delayed {
  run: RunState;
  task: number;
}

export class MemoryCoordinator implements Coordinator {
  readonly kind: string = "memory";
  /** `createRun` leases roots when asked (eager start). */
  readonly eagerStart = true;
  protected readonly now: () => number;
  protected readonly runs = new Map<string, RunState>();
  private readonly byIdempotencyKey = new Map<string, string>();
  private readonly ready = new ReadyQueue<RunState>();
  private readonly delayed = new DelayQueue<Delayed>();
  /** Runs not yet finished: what recover() scans. */
  private readonly activeRuns = new Set<RunState>();
  private readonly finished: string[] = [];
  /** Runs whose last save failed; recover() saves them again. */
  private readonly unsaved = new Set<RunState>();
  private finishedHead = 0;
  private readonly maxFinishedRuns: number;
  private readonly listeners = new Set<(signal: CoordinatorSignal) => void>();
  private workSignalScheduled = false;
  private delayTimer: NodeJS.Timeout | undefined;
  private delayTimerAt = Infinity;
  private closed = false;

  constructor(options: MemoryCoordinatorOptions = {}) {
    this.now = options.now ?? Date.now;
    this.maxFinishedRuns = Math.max(1, options.maxFinishedRuns ?? 10_000);
  }

  /**
   * Called after every state change of a run, before the change is acknowledged.
   * The memory backend keeps nothing elsewhere; the local coordinator saves here.
   */
  protected persist(_run: RunState): Promise<void> | undefined {
    return undefined;
  }

  /** True when state changes are saved elsewhere and must be awaited (the local coordinator). */
  protected get durable(): boolean {
    return false;
  }

  /** The synchronous hot path, offered only while nothing needs persisting. */
  get sync(): SyncCoordinatorOps | undefined {
    return this.durable ? undefined : this.syncOps;
  }

  private readonly syncOps: SyncCoordinatorOps = {
    claimSync: (request) => this.claimNow(request),
    completeSync: (lease, request) => this.announced(lease, this.completeNow(lease, request)),
    failSync: (lease, request) => this.announced(lease, this.failNow(lease, request)),
  };

  async createRun(request: CreateRunRequest): Promise<CreateRunResult> {
    this.assertOpen();
    const key = request.idempotencyKey;
    if (key !== undefined) {
      const existing = this.byIdempotencyKey.get(key);
      const run = existing === undefined ? undefined : await this.getRun(existing);
      if (run !== undefined) return { run: withoutTasks(run), created: false };
    }
    const now = this.now();
    const run = new RunState(
      request.id,
      request.workflow,
      request.version,
      request.input,
      compileGraph(request.graph),
      now,
      key,
      request.startedBy,
      request.timeoutMs,
    );
    if (request.timeoutMs !== undefined) run.deadlineAt = now + request.timeoutMs;
    run.requestHash = request.requestHash;
    run.namespace = request.namespace;
    this.adopt(run);
    run.log("run:created", now);
    for (const root of run.graph.roots) run.statuses[root] = READY;
    // Eager start: the highest-priority roots leased to the caller at once (saved with the run when durable).
    const claimed = request.claim === undefined ? NOTHING : this.leaseRoots(run, request.claim, now);
    const saving = this.persist(run);
    if (saving !== undefined) {
      try {
        await saving;
      } catch (error) {
        // Not saved, so not created: forget it before any of its tasks could be claimed.
        this.forget(run);
        throw error;
      }
    }
    for (const root of run.graph.roots) if (run.statuses[root] === READY) this.enqueue(run, root, now);
    const summary = summarizeRun(run);
    return claimed === NOTHING ? { run: summary, created: true } : { run: summary, created: true, claimed };
  }

  /** Leases up to `request.max` of a new run's roots, highest priority first (then plan order). */
  private leaseRoots(run: RunState, request: ClaimRequest, now: number): ClaimedTask[] {
    const tasks = run.graph.tasks;
    const roots = [...run.graph.roots].sort((a, b) => tasks[b]!.priority - tasks[a]!.priority || a - b);
    return roots.slice(0, Math.max(0, request.max)).map((task) => {
      run.setTime(task, READY_AT, now);
      return this.lease(run, task, request.leaseMs, now);
    });
  }

  async claim(request: ClaimRequest): Promise<ClaimedTask[]> {
    const claimed = this.claimNow(request);
    if (this.durable && claimed.length > 0) {
      // Saved so attempts survive a crash: a task that kills the process still runs out of retries.
      const runs = new Set(claimed.map((task) => this.runs.get(task.runId)!));
      await Promise.all([...runs].flatMap((run) => this.persist(run) ?? []));
    }
    return claimed;
  }

  private claimNow(request: ClaimRequest): ClaimedTask[] {
    // Workers ask after every finished task; most find nothing: answer those without reading the clock.
    if (this.closed || (this.ready.size === 0 && this.delayed.size === 0)) return NOTHING;
    const now = this.now();
    if (this.delayed.size > 0) this.promoteDue(now);
    let claimed = NOTHING;
    const queue = this.ready;
    while (claimed.length < request.max && queue.shift()) {
      const run = queue.run!;
      const task = queue.index;
      run.setQueued(task, false);
      if (run.statuses[task] !== READY || run.terminal) continue;
      if (claimed === NOTHING) claimed = [];
      claimed.push(this.lease(run, task, request.leaseMs, now));
    }
    return claimed;
  }

  /** Leases a ready task: running, one attempt more, `task:started` (and `run:started` for the first). */
  private lease(run: RunState, task: number, leaseMs: number, now: number): MemoryClaim {
    run.statuses[task] = RUNNING;
    const attempt = run.attempts(task) + 1;
    run.setAttempts(task, attempt);
    run.setTime(task, LEASE_EXPIRES, now + leaseMs);
    run.setTime(task, STARTED_AT, now);
    if (run.status === "pending") {
      run.status = "running";
      run.startedAt = now;
      run.log("run:started", now);
    }
    run.log("task:started", now, task);
    return new MemoryClaim(run, task, attempt, attempt + run.refunds(task));
  }

  async heartbeat(leases: readonly LeaseRef[], leaseMs: number): Promise<LeaseRef[]> {
    const now = this.now();
    const lost: LeaseRef[] = [];
    for (const lease of leases) {
      const run = this.runs.get(lease.runId);
      const task = run === undefined ? -1 : leased(run, lease, now);
      if (task < 0) lost.push(lease);
      else run!.setTime(task, LEASE_EXPIRES, now + leaseMs);
    }
    return lost;
  }

  async complete(lease: LeaseRef, request: CompleteRequest): Promise<OutcomeResult> {
    const run = this.runs.get(lease.runId);
    return this.saved(run, lease, this.completeNow(lease, request));
  }

  /** An outcome applied to `run`: saved (when it changed something), then announced if it ended the run. */
  private async saved(
    run: RunState | undefined,
    lease: LeaseRef,
    result: OutcomeResult,
  ): Promise<OutcomeResult> {
    if (result.ok && run !== undefined) await this.save(run);
    // Announced only once saved: whoever is told the run ended can read it back.
    return this.announced(lease, result);
  }

  /** Tells subscribers the run ended, when `result` says this outcome ended it. */
  private announced(lease: LeaseRef, result: OutcomeResult): OutcomeResult {
    if (result.ok && result.runStatus !== undefined) this.announce(lease.runId, result.runStatus);
    return result;
  }

  private completeNow(lease: LeaseRef, request: CompleteRequest): OutcomeResult {
    // Our own claim knows its run (a run that left memory is finished: `leased` refuses it).
    const run = lease instanceof MemoryClaim ? lease.runState : this.runs.get(lease.runId);
    if (run === undefined) return LOST;
    const now = this.now();
    const task = leased(run, lease, now);
    if (task < 0) return LOST;
    const skipped = request.skipped === true;
    run.statuses[task] = skipped ? SKIPPED : SUCCEEDED;
    run.outputs[task] = request.output;
    run.setError(task, undefined);
    run.setTime(task, ENDED_AT, now);
    run.setTime(task, DURATION, request.durationMs);
    run.remaining--;
    run.log(skipped ? "task:skipped" : "task:succeeded", now, task, request.durationMs);
    const dependents = run.graph.dependents[task]!;
    for (let i = 0; i < dependents.length; i++) {
      const d = dependents[i]!;
      if (run.satisfyDep(d) === 0 && run.statuses[d] === PENDING) {
        run.statuses[d] = READY;
        this.enqueue(run, d, now);
      }
    }
    return run.remaining === 0 ? this.settle(run, now) : OK;
  }

  async fail(lease: LeaseRef, request: FailRequest): Promise<OutcomeResult> {
    const run = this.runs.get(lease.runId);
    return this.saved(run, lease, this.failNow(lease, request));
  }

  private failNow(lease: LeaseRef, request: FailRequest): OutcomeResult {
    const run = this.runs.get(lease.runId);
    if (run === undefined) return LOST;
    const now = this.now();
    const task = leased(run, lease, now);
    if (task < 0) return LOST;
    run.setError(task, request.error);
    run.setTime(task, DURATION, request.durationMs);
    let result = OK;
    if (request.retryDelayMs !== undefined) {
      run.statuses[task] = RETRYING;
      const at = now + request.retryDelayMs;
      run.setTime(task, RETRY_AT, at);
      run.log("task:retrying", now, task, request.durationMs, request.error);
      if (request.refundAttempt === true) {
        // Not an attempt: the next claim repeats this attempt number; the token still grows.
        run.setAttempts(task, run.attempts(task) - 1);
        run.setRefunds(task, run.refunds(task) + 1);
      }
      this.delayed.push(at, { run, task });
      this.armDelayTimer();
    } else {
      run.statuses[task] = FAILED;
      run.setTime(task, ENDED_AT, now);
      run.remaining--;
      run.error ??= { ...request.error, task: run.name(task) };
      run.log("task:failed", now, task, request.durationMs, request.error);
      for (const name of request.downstream ?? []) {
        const d = run.indexOf(name);
        if (d < 0 || (run.statuses[d] !== PENDING && run.statuses[d] !== READY)) continue;
        run.statuses[d] = UPSTREAM_FAILED;
        run.setTime(d, ENDED_AT, now);
        run.remaining--;
        run.log("task:upstream_failed", now, d);
      }
      if (run.remaining === 0) result = this.settle(run, now);
    }
    return result;
  }

  async finishRun(runId: string, request: FinishRunRequest): Promise<RunRecord | undefined> {
    const run = this.runs.get(runId);
    if (run === undefined || run.terminal) return undefined;
    const now = this.now();
    for (let task = 0; task < run.size; task++) {
      const status = run.statuses[task]!;
      if (status === PENDING || status === READY || status === RUNNING || status === RETRYING) {
        run.statuses[task] = CANCELLED;
        run.setTime(task, ENDED_AT, now);
      }
    }
    run.remaining = 0;
    const timedOut = request.status === "timed_out";
    run.error = {
      name: "FlowMeshError",
      code: timedOut ? "FM_ERR_WORKFLOW_TIMEOUT" : "FM_ERR_CANCELLED",
      message: request.reason ?? (timedOut ? "workflow timed out" : "run cancelled"),
    };
    this.end(run, request.status, now);
    this.armDelayTimer();
    this.signal({ type: "run-cancelled", runId });
    await this.save(run);
    this.announce(runId, request.status);
    return snapshotRun(run);
  }

  async retryRun(runId: string, request: RetryRunRequest): Promise<RunRecord> {
    const run = this.runs.get(runId);
    if (run === undefined) {
      throw new FlowMeshError("FM_ERR_UNKNOWN_RUN", `retry: no run with id "${runId}"`, {
        details: { runId },
      });
    }
    if (!run.terminal) {
      throw new FlowMeshError(
        "FM_ERR_INVALID_STATE",
        `retry: run "${runId}" is ${run.status}; only a finished run can be retried`,
        { details: { runId, status: run.status } },
      );
    }
    const reset = request.reset.map((name) => run.indexOf(name)).filter((i) => i >= 0);
    if (reset.length === 0) {
      throw new FlowMeshError("FM_ERR_INVALID_STATE", `retry: run "${runId}" has no task to retry`, {
        details: { runId },
      });
    }
    const resetting = new Set(reset);
    for (const task of reset) {
      // A re-run task waiting on a dependency that will never succeed would hang the run.
      const blocked = run.graph.deps[task]!.find((d) => !resetting.has(d) && !isSucceeded(run.statuses[d]!));
      if (blocked !== undefined) {
        throw new FlowMeshError(
          "FM_ERR_INVALID_STATE",
          `retry: task "${run.name(task)}" of run "${runId}" depends on "${run.name(blocked)}", which did not succeed and is not being retried`,
          { details: { runId, task: run.name(task), dependency: run.name(blocked) } },
        );
      }
    }
    const now = this.now();
    for (const task of reset) {
      run.setFirstAttempt(task, run.attempts(task) + 1);
      run.statuses[task] = PENDING;
      run.outputs[task] = undefined;
      run.setError(task, undefined);
      run.setTime(task, ENDED_AT, 0);
      run.setTime(task, RETRY_AT, 0);
    }
    run.remaining = 0;
    for (let task = 0; task < run.size; task++) {
      if (run.statuses[task] !== PENDING) continue;
      run.remaining++;
      run.setPendingDeps(task, run.unmetDeps(task));
    }
    run.error = undefined;
    run.endedAt = undefined;
    run.status = "running";
    this.activeRuns.add(run);
    if (run.timeoutMs !== undefined) run.deadlineAt = now + run.timeoutMs;
    run.log("run:retried", now);
    for (const task of reset) {
      if (run.pendingDeps(task) === 0) {
        run.statuses[task] = READY;
        this.enqueue(run, task, now);
      }
    }
    await this.save(run);
    return snapshotRun(run);
  }

  async recover(): Promise<RecoverResult> {
    const ended: string[] = [];
    for (const run of [...this.unsaved]) {
      try {
        await this.save(run);
        if (run.terminal) {
          ended.push(run.id);
          this.announce(run.id, run.status as TerminalRunStatus);
        }
      } catch {
        // Still failing: the next sweep tries again.
      }
    }
    const now = this.now();
    let leases = 0;
    const timedOut: string[] = [];
    for (const run of [...this.activeRuns]) {
      if (run.terminal) continue;
      if (run.deadlineAt !== undefined && run.deadlineAt <= now) {
        if ((await this.finishRun(run.id, { status: "timed_out" })) !== undefined) timedOut.push(run.id);
        continue;
      }
      let changed = false;
      for (let task = 0; task < run.size; task++) {
        if (run.statuses[task] !== RUNNING || run.time(task, LEASE_EXPIRES) > now) continue;
        run.statuses[task] = READY;
        run.log("task:lease_lost", now, task);
        this.enqueue(run, task, now);
        leases++;
        changed = true;
      }
      if (changed) await this.save(run);
    }
    this.promoteDue(now);
    return { leases, timedOut, ended };
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const run = this.runs.get(runId);
    return run === undefined ? undefined : snapshotRun(run);
  }

  async getResult(runId: string): Promise<RunResult | undefined> {
    const run = this.runs.get(runId);
    if (run === undefined) return undefined;
    if (run.status === "succeeded") {
      // Every task succeeded or was skipped: fill a copy of the graph's key template (no shape transitions).
      const outputs = { ...run.graph.outputKeys };
      for (let task = 0; task < run.size; task++) outputs[run.name(task)] = run.outputs[task];
      return { status: run.status, outputs, startedAt: run.startedAt, endedAt: run.endedAt };
    }
    // Outputs are promised only for a succeeded run: waiters poll running runs, so skip the work.
    return {
      status: run.status,
      outputs: NO_DEPS,
      startedAt: run.startedAt,
      endedAt: run.endedAt,
      error: run.error,
    };
  }

  async listRuns(filter: RunFilter): Promise<RunPage> {
    return pageRuns(this.runs.values(), filter, (run) => run, snapshotRun);
  }

  async readEvents(runId: string, options: ReadEventsOptions = {}): Promise<RunEvent[]> {
    const run = this.runs.get(runId);
    if (run === undefined) return [];
    const after = options.after === undefined ? 0 : Number(options.after);
    if (!Number.isInteger(after) || after < 0) {
      throw new FlowMeshError(
        "FM_ERR_INVALID_OPTIONS",
        `readEvents: "after" must be an event id from this run, received ${JSON.stringify(options.after)}`,
        {
          details: { path: "after", runId },
        },
      );
    }
    // Ids are 1-based positions, so the page starts right after `after`.
    return run.events.read(runId, run.graph.taskOrder, after, after + (options.limit ?? 1000));
  }

  subscribe(listener: (signal: CoordinatorSignal) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async queueDepth(): Promise<number> {
    // Queues may hold stale entries (cancelled runs, superseded retries): count live tasks instead.
    let depth = 0;
    for (const run of this.activeRuns) {
      for (let task = 0; task < run.size; task++) {
        const status = run.statuses[task];
        if (status === READY || status === RETRYING) depth++;
      }
    }
    return depth;
  }

  async countActiveRuns(): Promise<number> {
    return this.activeRuns.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.delayTimer !== undefined) clearTimeout(this.delayTimer);
    this.delayTimer = undefined;
    this.listeners.clear();
  }

  // ------------------------------------------------------------ for subclasses

  /**
   * Saves a changed run. A failed save leaves the change in memory but unsaved:
   * recover() saves it again, and only then announces a run that ended.
   */
  protected async save(run: RunState): Promise<void> {
    const saving = this.persist(run);
    if (saving === undefined) return;
    try {
      await saving;
      this.unsaved.delete(run);
    } catch (error) {
      this.unsaved.add(run);
      throw error;
    }
  }

  private forget(run: RunState): void {
    this.runs.delete(run.id);
    this.activeRuns.delete(run);
    if (run.idempotencyKey !== undefined && this.byIdempotencyKey.get(run.idempotencyKey) === run.id) {
      this.byIdempotencyKey.delete(run.idempotencyKey);
    }
  }

  /** Takes a run into memory: indexed, and scanned by recover() until it ends. */
  protected adopt(run: RunState): void {
    this.runs.set(run.id, run);
    if (run.terminal) this.retire(run.id);
    else this.activeRuns.add(run);
    this.indexIdempotencyKey(run);
  }

  protected indexIdempotencyKey(run: { id: string; idempotencyKey?: string | undefined }): void {
    if (run.idempotencyKey !== undefined) this.byIdempotencyKey.set(run.idempotencyKey, run.id);
  }

  /** A finished run left memory. The memory backend forgets it entirely. */
  protected evicted(run: RunState): void {
    if (run.idempotencyKey !== undefined) this.byIdempotencyKey.delete(run.idempotencyKey);
  }

  protected enqueue(run: RunState, task: number, now: number): void {
    run.setTime(task, READY_AT, now);
    if (!run.queued(task)) {
      run.setQueued(task, true);
      this.ready.push(run.priority(task), run, task);
    }
    if (!this.workSignalScheduled) {
      // One wake-up per burst of newly ready tasks, not one per task.
      this.workSignalScheduled = true;
      queueMicrotask(this.flushWork);
    }
  }

  /** Queues a `retrying` task for its retry time. */
  protected delay(run: RunState, task: number): void {
    this.delayed.push(run.time(task, RETRY_AT), { run, task });
    this.armDelayTimer();
  }

  private announce(runId: string, status: TerminalRunStatus): void {
    this.signal({ type: "run-finished", runId, status });
  }

  protected signal(signal: CoordinatorSignal): void {
    for (const listener of this.listeners) listener(signal);
  }

  // ------------------------------------------------------------ internals

  private readonly flushWork = (): void => {
    this.workSignalScheduled = false;
    this.signal(WORK);
  };

  private promoteDue(now: number): void {
    for (const { run, task } of this.delayed.popDue(now)) {
      // A superseded entry (the task failed again since, with a later retry time) is skipped.
      if (run.statuses[task] !== RETRYING || run.terminal || run.time(task, RETRY_AT) > now) continue;
      run.statuses[task] = READY;
      run.setTime(task, RETRY_AT, 0);
      this.enqueue(run, task, now);
    }
    this.armDelayTimer();
  }

  private armDelayTimer(): void {
    // Entries of runs that ended or tasks retried since are stale: drop them, no timer for them.
    let next = this.delayed.peek();
    while (next !== undefined && (next.run.terminal || next.run.statuses[next.task] !== RETRYING)) {
      this.delayed.pop();
      next = this.delayed.peek();
    }
    if (next === undefined && this.delayTimer !== undefined) {
      clearTimeout(this.delayTimer);
      this.delayTimer = undefined;
      this.delayTimerAt = Infinity;
    }
    const at = this.delayed.peekTime();
    if (at === undefined || this.closed || at >= this.delayTimerAt) return;
    if (this.delayTimer !== undefined) clearTimeout(this.delayTimer);
    this.delayTimerAt = at;
    this.delayTimer = setTimeout(
      () => {
        this.delayTimer = undefined;
        this.delayTimerAt = Infinity;
        this.promoteDue(this.now());
      },
      Math.max(0, at - this.now()),
    );
  }

  /** Ends a run whose every task is done. */
  private settle(run: RunState, now: number): OutcomeResult {
    const status: TerminalRunStatus = run.statuses.subarray(0, run.size).includes(FAILED)
      ? "failed"
      : "succeeded";
    this.end(run, status, now);
    return FINISHED[status];
  }

  private end(run: RunState, status: TerminalRunStatus, now: number): void {
    run.status = status;
    run.endedAt = now;
    run.log(`run:${status}`, now);
    this.activeRuns.delete(run);
    this.retire(run.id);
  }

  /** Queues a finished run for eviction, dropping the oldest past `maxFinishedRuns`. */
  private retire(runId: string): void {
    this.finished.push(runId);
    while (this.finished.length - this.finishedHead > this.maxFinishedRuns) {
      const oldest = this.finished[this.finishedHead]!;
      this.finished[this.finishedHead++] = "";
      const dropped = this.runs.get(oldest);
      // A retried run that is running again stays.
      if (dropped !== undefined && dropped.terminal) {
        this.runs.delete(oldest);
        this.evicted(dropped);
      }
    }
    if (this.finishedHead > 1024 && this.finishedHead * 2 > this.finished.length) {
      this.finished.splice(0, this.finishedHead);
      this.finishedHead = 0;
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new FlowMeshError("FM_ERR_CLOSED", "the memory backend is closed");
  }
}

function isSucceeded(status: number): boolean {
  return status === SUCCEEDED || status === SKIPPED;
}

function withoutTasks(run: RunRecord): RunSummary {
  const { tasks: _tasks, taskOrder: _order, ...summary } = run;
  return summary;
}

/** The task index if `lease` still holds it at `now`, else -1. */
function leased(run: RunState, lease: LeaseRef, now: number): number {
  // Our own claims carry their index. No task of a finished run is RUNNING, so those are refused too.
  const task = lease instanceof MemoryClaim && lease.runState === run ? lease.index : run.indexOf(lease.task);
  if (task < 0 || run.statuses[task] !== RUNNING || tokenOf(run.claims(task)) !== lease.token) return -1;
  return run.time(task, LEASE_EXPIRES) > now ? task : -1;
}
