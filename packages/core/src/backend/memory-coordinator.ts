/**
 * The default backend: every run in this process's memory. It implements the
 * full {@link Coordinator} contract (leases, fencing, recovery, event log), so
 * the engine runs one code path whatever the backend, and it is the model the
 * Redis and Postgres backends are checked against by the conformance suite.
 */
import { randomBytes } from "node:crypto";
import { FlowMeshError } from "../errors.js";
import type { RunEvent, RunFilter, RunPage, RunRecord, TerminalRunStatus } from "../types.js";
import { DelayQueue } from "./delay-queue.js";
import { pageRuns } from "./page-runs.js";
import { ReadyQueue } from "./ready-queue.js";
import { compileGraph, isTerminal, RunState, snapshotRun, TaskState } from "./run-state.js";
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
const NO_DEPS: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;
const FINISHED: Record<TerminalRunStatus, OutcomeResult> = {
  succeeded: { ok: true, runStatus: "succeeded" },
  failed: { ok: true, runStatus: "failed" },
  cancelled: { ok: true, runStatus: "cancelled" },
  timed_out: { ok: true, runStatus: "timed_out" },
};

export class MemoryCoordinator implements Coordinator {
  readonly kind: string = "memory";
  protected readonly now: () => number;
  protected readonly runs = new Map<string, RunState>();
  private readonly byIdempotencyKey = new Map<string, string>();
  private readonly ready = new ReadyQueue<TaskState>();
  private readonly delayed = new DelayQueue<TaskState>();
  /** Runs not yet finished: what recover() scans. */
  private readonly activeRuns = new Set<RunState>();
  private readonly finished: string[] = [];
  private readonly maxFinishedRuns: number;
  private readonly listeners = new Set<(signal: CoordinatorSignal) => void>();
  private readonly tokenPrefix = randomBytes(4).toString("hex") + ".";
  private tokenSeq = 0;
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

  async createRun(request: CreateRunRequest): Promise<CreateRunResult> {
    this.assertOpen();
    const key = request.idempotencyKey;
    if (key !== undefined) {
      const existing = this.byIdempotencyKey.get(key);
      const run = existing === undefined ? undefined : await this.getRun(existing);
      if (run !== undefined) return { run, created: false };
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
    const { deps } = run.graph;
    for (let i = 0; i < deps.length; i++) {
      const pending = deps[i]!.length;
      run.tasks.push(new TaskState(run, i, pending === 0 ? "ready" : "pending", pending));
    }
    if (key !== undefined && this.byIdempotencyKey.has(key)) {
      // Another createRun with this key won the race while we awaited.
      const winner = await this.getRun(this.byIdempotencyKey.get(key)!);
      if (winner !== undefined) return { run: winner, created: false };
    }
    this.adopt(run);
    run.log("run:created", now);
    for (const task of run.tasks) if (task.status === "ready") this.enqueue(task, now);
    await this.persist(run);
    return { run: snapshotRun(run), created: true };
  }

  async claim(request: ClaimRequest): Promise<ClaimedTask[]> {
    return this.claimNow(request);
  }

  private claimNow(request: ClaimRequest): ClaimedTask[] {
    if (this.closed) return NOTHING;
    const now = this.now();
    this.promoteDue(now);
    let claimed: ClaimedTask[] = NOTHING;
    while (claimed.length < request.max) {
      const task = this.ready.shift();
      if (task === undefined) break;
      task.queued = false;
      const run = task.run;
      if (task.status !== "ready" || run.terminal) continue;
      task.status = "running";
      task.attempts++;
      task.token = String(++this.tokenSeq);
      task.leaseExpiresAt = now + request.leaseMs;
      task.startedAt = now;
      if (run.status === "pending") {
        run.status = "running";
        run.startedAt = now;
        run.log("run:started", now);
      }
      run.log("task:started", now, task);
      if (claimed === NOTHING) claimed = [];
      claimed.push({
        runId: run.id,
        task: task.name,
        token: task.token,
        workflow: run.workflow,
        version: run.version,
        attempt: task.attempts,
        input: run.input,
        deps: this.depsOf(task),
        leaseExpiresAt: task.leaseExpiresAt,
        readyAt: task.readyAt ?? now,
      });
    }
    return claimed;
  }

  async heartbeat(leases: readonly LeaseRef[], leaseMs: number): Promise<LeaseRef[]> {
    const now = this.now();
    const lost: LeaseRef[] = [];
    for (const lease of leases) {
      const task = this.leased(lease, now);
      if (task === undefined) lost.push(lease);
      else task.leaseExpiresAt = now + leaseMs;
    }
    return lost;
  }

  async complete(lease: LeaseRef, request: CompleteRequest): Promise<OutcomeResult> {
    const run = this.runs.get(lease.runId);
    const result = this.completeNow(lease, request);
    if (result.ok && run !== undefined) await this.persist(run);
    return result;
  }

  private completeNow(lease: LeaseRef, request: CompleteRequest): OutcomeResult {
    const now = this.now();
    const task = this.leased(lease, now);
    if (task === undefined) return LOST;
    const run = task.run;
    task.token = undefined;
    task.status = request.skipped === true ? "skipped" : "succeeded";
    task.output = request.output;
    task.error = undefined;
    task.endedAt = now;
    task.durationMs = request.durationMs;
    run.remaining--;
    run.log(request.skipped === true ? "task:skipped" : "task:succeeded", now, task, request.durationMs);
    for (const d of run.graph.dependents[task.index]!) {
      const dependent = run.tasks[d]!;
      if (--dependent.pendingDeps === 0 && dependent.status === "pending") {
        dependent.status = "ready";
        this.enqueue(dependent, now);
      }
    }
    return run.remaining === 0 ? this.settle(run, now) : OK;
  }

  /** The synchronous hot path, offered only while nothing needs persisting. */
  get sync(): SyncCoordinatorOps | undefined {
    return this.durable ? undefined : this.syncOps;
  }

  /** True when state changes are saved elsewhere and must be awaited (the local coordinator). */
  protected get durable(): boolean {
    return false;
  }

  private readonly syncOps: SyncCoordinatorOps = {
    claimSync: (request) => this.claimNow(request),
    completeSync: (lease, request) => this.completeNow(lease, request),
  };

  async fail(lease: LeaseRef, request: FailRequest): Promise<OutcomeResult> {
    const now = this.now();
    const task = this.leased(lease, now);
    if (task === undefined) return LOST;
    const run = task.run;
    task.token = undefined;
    task.error = request.error;
    task.durationMs = request.durationMs;
    let result = OK;
    if (request.retryDelayMs !== undefined) {
      task.status = "retrying";
      task.retryAt = now + request.retryDelayMs;
      run.log("task:retrying", now, task, request.durationMs, request.error);
      this.delay(task);
    } else {
      task.status = "failed";
      task.endedAt = now;
      run.remaining--;
      run.error ??= { ...request.error, task: task.name };
      run.log("task:failed", now, task, request.durationMs, request.error);
      for (const name of request.downstream ?? []) {
        const dependent = run.task(name);
        if (dependent === undefined || (dependent.status !== "pending" && dependent.status !== "ready")) continue;
        dependent.status = "upstream_failed";
        dependent.endedAt = now;
        run.remaining--;
        run.log("task:upstream_failed", now, dependent);
      }
      if (run.remaining === 0) result = this.settle(run, now);
    }
    await this.persist(run);
    return result;
  }

  async finishRun(runId: string, request: FinishRunRequest): Promise<RunRecord | undefined> {
    const run = this.runs.get(runId);
    if (run === undefined || run.terminal) return undefined;
    const now = this.now();
    for (const task of run.tasks) {
      if (task.status === "running") task.token = undefined;
      if (task.status === "pending" || task.status === "ready" || task.status === "running" || task.status === "retrying") {
        task.status = "cancelled";
        task.endedAt = now;
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
    this.signal({ type: "run-cancelled", runId });
    this.signal({ type: "run-finished", runId, status: request.status });
    await this.persist(run);
    return snapshotRun(run);
  }

  async retryRun(runId: string, request: RetryRunRequest): Promise<RunRecord> {
    const run = this.runs.get(runId);
    if (run === undefined) {
      throw new FlowMeshError("FM_ERR_UNKNOWN_RUN", `retry: no run with id "${runId}"`, { details: { runId } });
    }
    if (!run.terminal) {
      throw new FlowMeshError("FM_ERR_INVALID_STATE", `retry: run "${runId}" is ${run.status}; only a finished run can be retried`, {
        details: { runId, status: run.status },
      });
    }
    const reset = request.reset.map((name) => run.task(name)).filter((t): t is TaskState => t !== undefined);
    if (reset.length === 0) {
      throw new FlowMeshError("FM_ERR_INVALID_STATE", `retry: run "${runId}" has no task to retry`, { details: { runId } });
    }
    const now = this.now();
    for (const task of reset) {
      task.status = "pending";
      task.output = undefined;
      task.error = undefined;
      task.endedAt = undefined;
      task.retryAt = undefined;
    }
    run.remaining = 0;
    for (const task of run.tasks) {
      if (task.status !== "pending") continue;
      run.remaining++;
      task.pendingDeps = run.graph.deps[task.index]!.filter((d) => {
        const status = run.tasks[d]!.status;
        return status !== "succeeded" && status !== "skipped";
      }).length;
    }
    run.error = undefined;
    run.endedAt = undefined;
    run.status = "running";
    this.activeRuns.add(run);
    if (run.timeoutMs !== undefined) run.deadlineAt = now + run.timeoutMs;
    const at = this.finished.indexOf(run.id);
    if (at >= 0) this.finished.splice(at, 1);
    run.log("run:retried", now);
    for (const task of reset) {
      if (task.pendingDeps === 0) {
        task.status = "ready";
        this.enqueue(task, now);
      }
    }
    await this.persist(run);
    return snapshotRun(run);
  }

  async recover(): Promise<RecoverResult> {
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
      for (const task of run.tasks) {
        if (task.status !== "running" || task.leaseExpiresAt > now) continue;
        task.token = undefined;
        task.status = "ready";
        run.log("task:lease_lost", now, task);
        this.enqueue(task, now);
        leases++;
        changed = true;
      }
      if (changed) await this.persist(run);
    }
    this.promoteDue(now);
    return { leases, timedOut };
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const run = this.runs.get(runId);
    return run === undefined ? undefined : snapshotRun(run);
  }

  async listRuns(filter: RunFilter): Promise<RunPage> {
    return pageRuns(this.runs.values(), filter, (run) => run, snapshotRun);
  }

  async readEvents(runId: string, options: ReadEventsOptions = {}): Promise<RunEvent[]> {
    const run = this.runs.get(runId);
    if (run === undefined) return [];
    const after = options.after === undefined ? 0 : Number(options.after);
    if (!Number.isInteger(after)) return [];
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
      for (const task of run.tasks) if (task.status === "ready" || task.status === "retrying") depth++;
    }
    return depth;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.delayTimer !== undefined) clearTimeout(this.delayTimer);
    this.delayTimer = undefined;
    this.listeners.clear();
  }

  // ------------------------------------------------------------ internals

  /** The task if `lease` still holds it at `now`. */
  private leased(lease: LeaseRef, now: number): TaskState | undefined {
    const task = this.runs.get(lease.runId)?.task(lease.task);
    if (task === undefined || task.status !== "running" || task.token !== lease.token) return undefined;
    return task.leaseExpiresAt > now ? task : undefined;
  }

  protected enqueue(task: TaskState, now: number): void {
    task.readyAt = now;
    if (!task.queued) {
      task.queued = true;
      this.ready.push(task.priority, task);
    }
    if (!this.workSignalScheduled) {
      // One wake-up per burst of newly ready tasks, not one per task.
      this.workSignalScheduled = true;
      queueMicrotask(this.flushWork);
    }
  }

  protected delay(task: TaskState): void {
    this.delayed.push(task.retryAt!, task);
    this.armDelayTimer();
  }

  private promoteDue(now: number): void {
    if (this.delayed.size === 0) return;
    for (const task of this.delayed.popDue(now)) {
      // A superseded entry (the task was retried again since) is not due yet: skip it.
      if (task.status !== "retrying" || task.run.terminal || task.retryAt! > now) continue;
      task.status = "ready";
      task.retryAt = undefined;
      this.enqueue(task, now);
    }
    this.armDelayTimer();
  }

  private armDelayTimer(): void {
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
    this.delayTimer.unref();
  }

  private depsOf(task: TaskState): Record<string, unknown> {
    const deps = task.run.graph.deps[task.index]!;
    if (deps.length === 0) return NO_DEPS;
    const out: Record<string, unknown> = {};
    for (const d of deps) {
      const dep = task.run.tasks[d]!;
      out[dep.name] = dep.output;
    }
    return out;
  }

  /** Ends a run whose every task is done. */
  private settle(run: RunState, now: number): OutcomeResult {
    const status: TerminalRunStatus = run.tasks.some((t) => t.status === "failed") ? "failed" : "succeeded";
    this.end(run, status, now);
    this.signal({ type: "run-finished", runId: run.id, status });
    return FINISHED[status];
  }

  private end(run: RunState, status: TerminalRunStatus, now: number): void {
    run.status = status;
    run.endedAt = now;
    run.log(`run:${status}`, now);
    this.activeRuns.delete(run);
    this.finished.push(run.id);
    while (this.finished.length > this.maxFinishedRuns) {
      const oldest = this.finished.shift()!;
      const dropped = this.runs.get(oldest);
      this.runs.delete(oldest);
      if (dropped !== undefined) this.evicted(dropped);
    }
  }

  /** A finished run left memory. The memory backend forgets it entirely. */
  protected evicted(run: RunState): void {
    if (run.idempotencyKey !== undefined) this.byIdempotencyKey.delete(run.idempotencyKey);
  }

  /** Takes a run into memory: indexed, and scanned by recover() until it ends. */
  protected adopt(run: RunState): void {
    this.runs.set(run.id, run);
    if (!run.terminal) this.activeRuns.add(run);
    this.indexIdempotencyKey(run);
  }

  protected indexIdempotencyKey(run: { id: string; idempotencyKey?: string | undefined }): void {
    if (run.idempotencyKey !== undefined) this.byIdempotencyKey.set(run.idempotencyKey, run.id);
  }

  private readonly flushWork = (): void => {
    this.workSignalScheduled = false;
    this.signal(WORK);
  };

  protected signal(signal: CoordinatorSignal): void {
    for (const listener of this.listeners) listener(signal);
  }

  private assertOpen(): void {
    if (this.closed) throw new FlowMeshError("FM_ERR_CLOSED", "the memory backend is closed");
  }
}
