/**
 * The claim loop. It claims ready tasks whenever it has free slots and the
 * backend signals work (no busy polling), heartbeats every running lease on one
 * shared timer, sweeps expired leases and deadlines, and drains on stop.
 *
 * With an asynchronous backend (every call a round trip) the loop is
 * pipelined: a slot is free again as soon as its handler settles, while the
 * outcome is reported in the background (bounded), and a small buffer of
 * claimed-but-not-started tasks lets a freed slot start the next task with no
 * round trip, up to two claims staying in flight while the buffer runs low. The
 * in-process fast path ({@link SyncCoordinatorOps}) has no round trips to
 * hide and keeps the plain loop.
 */
import { performance } from "node:perf_hooks";
import { setImmediate as yieldTurn } from "node:timers/promises";
import type { ClaimedTask, ClaimRequest, LeaseRef, SyncCoordinatorOps } from "../backend/types.js";
import { FlowMeshError, serializeError } from "../errors.js";
import type { TerminalRunStatus } from "../types.js";
import { Executor } from "./executor.js";
import type { EngineRuntime } from "./runtime.js";

/**
 * Claims an async backend worker keeps in flight at most. Two keep the
 * backend busy while this process starts one batch: with one, the backend
 * idles for every batch's turn here (and a backend that sends a worker's
 * outcomes with its claim, like Redis, would run in lockstep with it).
 */
const CLAIMS_IN_FLIGHT = 2;

export interface WorkerOptions {
  workerId: string;
  concurrency: number;
  leaseMs: number;
  sweepIntervalMs: number;
  /** Claims per backend call at most. */
  claimBatch: number;
  /**
   * Async backends: claimed tasks kept ready to start beyond the free slots
   * (0 disables claiming ahead). @default min(4 × concurrency, 32)
   */
  prefetch?: number;
}

export class Worker {
  private inFlight = 0;
  private pumping = false;
  private pumpAgain = false;
  private stopped = false;
  private started = false;
  private holds = 0;
  /** The async claim loops in progress (see {@link CLAIMS_IN_FLIGHT}). */
  private readonly filling = new Set<Promise<void>>();
  private readonly timers: NodeJS.Timeout[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly idle = new Set<() => void>();
  /** False while the backend fails; true again after a successful claim. */
  healthy = true;
  /** Reused for every claim: the hot path allocates no request objects. */
  private readonly request: ClaimRequest;

  private readonly executor: Executor;
  /** The backend's synchronous fast path, if it has one. */
  private readonly sync: SyncCoordinatorOps | undefined;

  // Async backends only (see the module comment).
  /** Claimed, leased, not started yet: oldest first. */
  private readonly buffer: Buffered[] = [];
  private readonly prefetch: number;
  /** Below this many buffered tasks, another claim goes out. */
  private readonly lowWater: number;
  /**
   * Outcomes reported in the background at most (slot already freed): the
   * backend batches them into one round trip, so this many can share one;
   * as many behind the slots as the buffer holds ahead of them.
   */
  private readonly maxReporting: number;
  /** Tasks one claim asks for at most. */
  private readonly maxClaim: number;
  /** Outcomes being reported whose slot was already freed. */
  private reporting = 0;
  /** Claims in flight. */
  private claiming = 0;
  /** Tasks the claims in flight may bring (their `max`): the next claim leaves room for them. */
  private expected = 0;
  /** Starting buffered tasks right now (re-entrancy guard). */
  private starting = false;
  private startAgain = false;
  /**
   * Runs cancelled while claims were in flight, with the sequence number
   * current at the cancel: a claim sent before it drops their tasks.
   */
  private readonly cancelledDuringClaim = new Map<string, number>();
  /** Numbers claims and cancellations, in order. */
  private sequence = 0;
  /** The numbers of the claims in flight. */
  private readonly claimsSent = new Set<number>();
  /**
   * The last claim came back short (fewer tasks than asked): nothing more was
   * ready, and the backend signals work when that changes. Until it does,
   * only a claim that rides along with an outcome report goes out (it may
   * take the dependents that outcome makes ready).
   */
  private drained = false;
  /** Counts the backend's work signals: a claim sent before one cannot say the queue is drained. */
  private wakes = 0;
  /** True while an outcome report has just been queued (a claim sent now goes with it). */
  private reportQueued = false;

  constructor(
    private readonly rt: EngineRuntime,
    private readonly options: WorkerOptions,
  ) {
    this.request = { workerId: options.workerId, max: options.claimBatch, leaseMs: options.leaseMs };
    this.sync = rt.coordinator.sync;
    // A few slots' worth even at low concurrency: at 10 slots a buffer of 10 drains within one claim round trip.
    this.prefetch = this.sync === undefined ? (options.prefetch ?? Math.min(4 * options.concurrency, 32)) : 0;
    this.lowWater = Math.ceil(this.prefetch / 2);
    this.maxReporting = Math.max(options.concurrency, this.prefetch);
    this.maxClaim = Math.min(
      options.claimBatch,
      Math.ceil((options.concurrency + this.prefetch) / CLAIMS_IN_FLIGHT),
    );
    this.executor = new Executor(rt, {
      settled: this.settled,
      crashed: this.crashed,
      release: this.sync === undefined ? this.releaseSlot : undefined,
    });
  }

  /** Starts claiming (idempotent). */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    const heartbeat = setInterval(
      () => void this.heartbeat(),
      Math.max(10, Math.floor(this.options.leaseMs / 3)),
    );
    const sweep = setInterval(() => void this.sweep(), this.options.sweepIntervalMs);
    heartbeat.unref();
    sweep.unref();
    this.timers.push(heartbeat, sweep);
    this.pump();
  }

  /** Attempts holding a slot: handlers running (and, past the report bound, outcomes being reported). */
  get running(): number {
    return this.inFlight;
  }

  /** Async backends: outcomes being reported in the background, their slot already free. */
  get reportsOutstanding(): number {
    return this.reporting;
  }

  /** Async backends: claimed tasks waiting for a slot. */
  get buffered(): number {
    return this.buffer.length;
  }

  /** Attempts this worker runs at once at most. */
  get concurrency(): number {
    return this.options.concurrency;
  }

  /** Holds claiming until {@link release}: lets the engine announce a run before its tasks start. */
  hold(): void {
    this.holds++;
  }

  release(): void {
    if (--this.holds === 0 && this.pumpAgain) this.pump();
  }

  /** The backend signalled work (new tasks ready, a retry due, a reconnect): claim again. */
  wake(): void {
    this.wakes++;
    this.drained = false;
    this.pump();
  }

  /** Claims more work if there are free slots; cheap to call often. */
  pump(): void {
    const sync = this.sync;
    if (sync === undefined) return this.pumpAsync();
    if (this.pumping || this.holds > 0) {
      this.pumpAgain = true;
      return;
    }
    if (!this.started || this.stopped || this.inFlight >= this.options.concurrency) return;
    this.pumping = true;
    this.fillSync(sync);
  }

  /** Async backends: start buffered tasks in free slots, then claim if the buffer runs low. */
  private pumpAsync(): void {
    if (this.holds > 0 || this.claiming > 0) {
      // A claim in flight loops again when it lands; a hold ends with a pump.
      this.pumpAgain = true;
      if (this.holds > 0) return;
    }
    if (!this.started || this.stopped) return;
    this.startBuffered();
    if (this.claiming < CLAIMS_IN_FLIGHT && this.claimSize() > 0) {
      this.claiming++;
      const loop = this.fill();
      this.filling.add(loop);
      void loop.finally(() => this.filling.delete(loop));
    }
  }

  /** Starts buffered tasks while slots are free; iterative when a started handler frees a slot at once. */
  private startBuffered(): void {
    if (this.starting) {
      this.startAgain = true;
      return;
    }
    this.starting = true;
    try {
      do {
        this.startAgain = false;
        while (this.buffer.length > 0 && this.inFlight < this.options.concurrency && !this.stopped) {
          const entry = this.buffer.shift()!;
          // Not renewed in time (heartbeats failing): the lease may be someone else's by now.
          if (entry.leaseUntil < performance.now()) this.expired(entry.task);
          else this.execute(entry.task);
        }
      } while (this.startAgain);
    } finally {
      this.starting = false;
    }
  }

  /**
   * How many tasks to claim now: what the slots and the prefetch buffer hold
   * together, less what is running, buffered and coming in claims already in
   * flight, and at most half of that capacity, so two claims can be in flight;
   * 0 while the buffer is above its low-water mark and no slot is free.
   */
  private claimSize(): number {
    if (this.drained && !this.reportQueued) return 0;
    const coming = this.buffer.length + this.expected;
    const free = this.options.concurrency - this.inFlight - coming;
    if (this.buffer.length >= this.lowWater && free <= 0) return 0;
    return Math.min(this.maxClaim, free + this.prefetch);
  }

  /**
   * Async backends: one of up to {@link CLAIMS_IN_FLIGHT} loops, each keeping
   * a claim in flight while slots or the buffer want tasks.
   */
  private async fill(): Promise<void> {
    try {
      for (;;) {
        if (this.stopped) break;
        if (this.holds > 0) {
          // `release()` pumps again.
          this.pumpAgain = true;
          break;
        }
        // No room: claims in flight or running tasks will loop again (a wake-up stays noted meanwhile).
        const max = this.claimSize();
        if (max <= 0) break;
        // This claim answers every wake-up so far.
        this.pumpAgain = false;
        const sentAt = performance.now();
        const seq = ++this.sequence;
        this.claimsSent.add(seq);
        this.expected += max;
        const wakes = this.wakes;
        let claimed: readonly ClaimedTask[];
        try {
          claimed = await this.rt.coordinator.claim({
            workerId: this.options.workerId,
            max,
            leaseMs: this.options.leaseMs,
          });
        } finally {
          this.expected -= max;
          this.claimsSent.delete(seq);
        }
        this.healthy = true;
        this.drained = claimed.length < max && this.wakes === wakes;
        if (this.cancelledDuringClaim.size > 0) claimed = this.dropCancelled(claimed, seq);
        if (this.stopped) {
          await this.handBack(claimed);
          break;
        }
        const leaseUntil = sentAt + this.options.leaseMs;
        for (const task of claimed) this.buffer.push({ task, leaseUntil });
        this.startBuffered();
        // Nothing ready: wait for the backend's next wake-up (unless one came meanwhile).
        if (claimed.length === 0) {
          if (!this.pumpAgain) break;
        } else {
          // Let this batch's quick handlers settle and free their slots before sizing the next claim:
          // sized now, it would be cut short by work about to finish, and the claims in flight would
          // fall into step (sent, and answered, together) instead of overlapping this process's turns.
          await yieldTurn();
        }
      }
    } catch (error) {
      this.backendFailed(error);
    } finally {
      this.claiming--;
      if (this.claiming === 0) this.cancelledDuringClaim.clear();
    }
  }

  /**
   * Drops the tasks of runs cancelled after the claim numbered `seq` was
   * sent (the claim may have taken them before the cancel), and forgets
   * cancellations no claim still in flight was sent before.
   */
  private dropCancelled(claimed: readonly ClaimedTask[], seq: number): readonly ClaimedTask[] {
    const cancelled = this.cancelledDuringClaim;
    const kept = claimed.filter((task) => (cancelled.get(task.runId) ?? 0) <= seq);
    let oldest = Infinity;
    for (const sent of this.claimsSent) oldest = Math.min(oldest, sent);
    for (const [runId, at] of cancelled) if (at <= oldest) cancelled.delete(runId);
    return kept;
  }

  /**
   * Returns claimed tasks that will not start here to the queue at once,
   * without using an attempt, so another worker can take them now instead of
   * after their lease expires.
   */
  private async handBack(tasks: readonly ClaimedTask[]): Promise<void> {
    if (tasks.length === 0) return;
    const error = serializeError(
      new FlowMeshError("FM_ERR_CLOSED", "the worker stopped before starting the task: handed back"),
    );
    await Promise.all(
      tasks.map((task) =>
        this.rt.coordinator.fail(task, { error, durationMs: 0, retryDelayMs: 0, refundAttempt: true }).then(
          () => undefined,
          (failure: unknown) => this.reportError(failure),
        ),
      ),
    );
  }

  /** The in-process fast path: the same loop with no promise per claim. */
  private fillSync(sync: SyncCoordinatorOps): void {
    try {
      do {
        this.pumpAgain = false;
        while (!this.stopped && this.inFlight < this.options.concurrency) {
          const claimed = sync.claimSync(this.claimRequest());
          if (!this.healthy) this.healthy = true;
          if (claimed.length === 0) break;
          for (const task of claimed) this.execute(task);
        }
      } while (this.pumpAgain && !this.stopped);
    } catch (error) {
      this.backendFailed(error);
    } finally {
      this.pumping = false;
    }
  }

  private backendFailed(error: unknown): void {
    this.healthy = false;
    this.reportError(error);
    // The backend failed: try again shortly rather than sit idle with work queued.
    this.retryTimer ??= setTimeout(() => {
      this.retryTimer = undefined;
      this.pump();
    }, 1000);
  }

  /** Sync path: claim only for free slots. */
  private claimRequest(): ClaimRequest {
    const request = this.request;
    request.max = Math.min(this.options.claimBatch, this.options.concurrency - this.inFlight);
    return request;
  }

  private execute(task: ClaimedTask): void {
    // Claimed while stopping: leave it; its lease expires and another worker (or the next start) runs it.
    if (this.stopped) return;
    this.inFlight++;
    this.executor.run(task);
  }

  /**
   * Called by the executor (async backends) when a handler settled and its
   * outcome is being reported: frees the slot unless `max(concurrency,
   * prefetch)` outcomes are already outstanding, in which case the attempt
   * keeps its slot until its own report is acknowledged (so new starts
   * wait). True when freed.
   */
  readonly releaseSlot = (): boolean => {
    if (this.reporting >= this.maxReporting) return false;
    this.reporting++;
    this.inFlight--;
    this.reportQueued = true;
    try {
      this.pumpAsync();
    } finally {
      this.reportQueued = false;
    }
    return true;
  };

  /** Called by the executor when an attempt is over; `released` when its slot was freed earlier. */
  readonly settled = (released: boolean): void => {
    if (released) this.reporting--;
    else this.inFlight--;
    if (this.inFlight === 0 && this.reporting === 0 && this.idle.size > 0)
      for (const resolve of this.idle) resolve();
    this.pump();
  };

  /** Called by the executor when reporting an outcome failed. */
  readonly crashed = (error: unknown, released: boolean): void => {
    // Reporting an outcome failed (backend down): the lease will expire and the task will run again.
    this.reportError(error);
    this.settled(released);
  };

  /** See {@link Executor.isFinishing}. */
  isFinishing(runId: string): boolean {
    return this.executor.isFinishing(runId);
  }

  /** Aborts every running attempt of a run (cancelled or timed out elsewhere); its buffered tasks never start. */
  abortRun(runId: string, reason: unknown): void {
    // The run is over: its leases are void, nothing to hand back.
    if (this.buffer.length > 0) this.dropBuffered((task) => task.runId === runId);
    if (this.claiming > 0) this.cancelledDuringClaim.set(runId, ++this.sequence);
    for (const exec of this.executor.active.toArray()) {
      if (exec.runId !== runId) continue;
      exec.lost = true;
      exec.abort(reason);
    }
  }

  /** A buffered task whose lease this worker could not renew in time: dropped, never started. */
  private expired(task: ClaimedTask): void {
    this.rt.logger.warn(
      { workflow_id: task.runId, task_name: task.task, attempt: task.attempt },
      "buffered task not started: its lease could not be renewed in time",
    );
  }

  /** Removes buffered tasks that must not start. */
  private dropBuffered(drop: (task: ClaimedTask) => boolean): void {
    const keep = this.buffer.filter((entry) => !drop(entry.task));
    if (keep.length === this.buffer.length) return;
    this.buffer.length = 0;
    this.buffer.push(...keep);
    this.pump();
  }

  private async heartbeat(): Promise<void> {
    if (this.executor.active.size === 0 && this.buffer.length === 0) return;
    const executions = this.executor.active.toArray();
    const leases: LeaseRef[] = executions.map((e) => e.claimed);
    // Buffered tasks hold leases too: keep them alive until they start or are handed back.
    const buffered = this.buffer.slice();
    for (const entry of buffered) leases.push(entry.task);
    const sentAt = performance.now();
    try {
      const lost = await this.rt.coordinator.heartbeat(leases, this.options.leaseMs);
      this.healthy = true;
      for (const entry of buffered) entry.leaseUntil = sentAt + this.options.leaseMs;
      if (lost.length === 0) return;
      // A token alone is not unique across tasks (in-process backends use the attempt number).
      const keys = new Set(lost.map(leaseKey));
      if (this.buffer.length > 0) this.dropBuffered((task) => keys.has(leaseKey(task)));
      for (const exec of executions) {
        if (!keys.has(leaseKey(exec.claimed))) continue;
        exec.lost = true;
        exec.abort(
          new FlowMeshError(
            "FM_ERR_LEASE_LOST",
            `lease on task "${exec.taskName}" of run ${exec.runId} was lost`,
            {
              details: { runId: exec.runId, task: exec.taskName },
            },
          ),
        );
      }
    } catch (error) {
      this.healthy = false;
      this.reportError(error);
    }
  }

  private async sweep(): Promise<void> {
    try {
      const { leases, timedOut, ended = [] } = await this.rt.coordinator.recover();
      if (leases > 0) {
        this.rt.logger.warn({ leases }, "recovered expired task leases");
        if (this.rt.events.listenerCount("worker:recovered") > 0)
          this.rt.events.emit("worker:recovered", { leases });
      }
      for (const runId of [...timedOut, ...ended]) {
        const run = await this.rt.coordinator.getRun(runId);
        if (run !== undefined)
          await this.rt.runFinished(runId, run.workflow, run.status as TerminalRunStatus);
      }
      if (leases > 0) this.pump();
    } catch (error) {
      this.reportError(error);
    }
  }

  private reportError(error: unknown): void {
    this.rt.logger.error({ err: error }, "worker: backend call failed");
    if (this.rt.events.listenerCount("worker:error") > 0) this.rt.events.emit("worker:error", { error });
  }

  /** Stops claiming and waits for running attempts, up to `timeoutMs`; then aborts what is left. */
  async stop(timeoutMs: number): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    // Claims in flight must land (and be handed back) before the backend closes.
    await Promise.all(this.filling);
    // Buffered tasks never started: hand them back now, attempts refunded.
    await this.handBack(this.buffer.splice(0).map((entry) => entry.task));
    if (this.inFlight === 0 && this.reporting === 0) return;
    let release: () => void = () => undefined;
    const drained = new Promise<void>((resolve) => {
      release = resolve;
      this.idle.add(resolve);
    });
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), timeoutMs);
    });
    const timedOut = await Promise.race([drained.then(() => false), expired]);
    clearTimeout(timer);
    this.idle.delete(release);
    if (timedOut) {
      const reason = new FlowMeshError("FM_ERR_CLOSED", "engine closed before the task finished");
      for (const exec of this.executor.active.toArray()) {
        exec.lost = true;
        exec.abort(reason);
      }
    }
  }
}

/** A buffered task and until when (this process's clock, conservatively) its lease surely holds. */
interface Buffered {
  readonly task: ClaimedTask;
  leaseUntil: number;
}

function leaseKey(lease: LeaseRef): string {
  return `${lease.runId}\u0000${lease.task}\u0000${lease.token}`;
}
