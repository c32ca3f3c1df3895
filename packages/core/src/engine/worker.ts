/**
 * The claim loop. It claims ready tasks whenever it has free slots and the
 * backend signals work (no busy polling), heartbeats every running lease on one
 * shared timer, sweeps expired leases and deadlines, and drains on stop.
 *
 * With an asynchronous backend (every call a round trip) claiming is
 * pipelined ({@link ClaimPipeline}): a slot is free again as soon as its
 * handler settles, while the outcome is reported in the background (bounded,
 * here). The in-process fast path ({@link SyncCoordinatorOps}) has no round
 * trips to hide and keeps the plain loop.
 */
import type { ClaimedTask, ClaimRequest, LeaseRef, SyncCoordinatorOps } from "../backend/types.js";
import { FlowMeshError } from "../errors.js";
import type { TerminalRunStatus } from "../types.js";
import { ClaimPipeline, type EagerStart } from "./claim-pipeline.js";
import { ClaimWindow } from "./claim-window.js";
import { Executor } from "./executor.js";
import type { EngineRuntime } from "./runtime.js";

export interface WorkerOptions {
  workerId: string;
  concurrency: number;
  leaseMs: number;
  sweepIntervalMs: number;
  /** Claims per backend call at most. */
  claimBatch: number;
  /**
   * Async backends: claimed tasks kept ready to start beyond the free slots
   * (0 disables claiming ahead). Default: sized to the start rate (see
   * {@link ClaimWindow.adaptive}).
   */
  prefetch?: number;
}

/** The adaptive prefetch buffer's cap, in claims: a deeper buffer would not make claims bigger. */
const ADAPTIVE_CLAIMS = 4;
/** Outcomes outstanding beyond the buffer's worth, at most: a large completion batch for any backend. */
const EXTRA_REPORTS = 256;

export class Worker {
  private inFlight = 0;
  private pumping = false;
  /** Sync path: something asked for a claim while one was running or claiming was held. */
  private pumpAgain = false;
  private stopped = false;
  private started = false;
  private holds = 0;
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
  /** Async backends only: the claim pipeline. */
  private readonly pipeline: ClaimPipeline | undefined;
  /** Outcomes being reported whose slot was already freed. */
  private reporting = 0;

  constructor(
    private readonly rt: EngineRuntime,
    private readonly options: WorkerOptions,
  ) {
    this.request = { workerId: options.workerId, max: options.claimBatch, leaseMs: options.leaseMs };
    this.sync = rt.coordinator.sync;
    if (this.sync === undefined) {
      const window =
        options.prefetch === undefined
          ? ClaimWindow.adaptive(options.concurrency, ADAPTIVE_CLAIMS * options.claimBatch)
          : ClaimWindow.fixed(options.prefetch);
      this.pipeline = new ClaimPipeline(
        rt,
        {
          workerId: options.workerId,
          concurrency: options.concurrency,
          leaseMs: options.leaseMs,
          claimBatch: options.claimBatch,
          running: () => this.inFlight,
          started: () => this.started,
          stopped: () => this.stopped,
          held: () => this.holds > 0,
          execute: (task) => this.execute(task),
          claimed: () => {
            this.healthy = true;
          },
          claimFailed: (error) => this.backendFailed(error),
          reportError: (error) => this.reportError(error),
        },
        window,
      );
    } else {
      this.pipeline = undefined;
    }
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
    return this.pipeline?.buffered ?? 0;
  }

  /** Attempts this worker runs at once at most. */
  get concurrency(): number {
    return this.options.concurrency;
  }

  /** Holds claiming until {@link release}: lets the engine announce a run before its tasks start. */
  hold(): void {
    this.holds++;
  }

  /** Async backends: slots for the roots of a run this process creates, leased by the creation (see `ClaimPipeline.reserveEager`). */
  reserveEager(roots: number): EagerStart | undefined {
    return this.pipeline?.reserveEager(roots);
  }

  /** The creation a {@link reserveEager} was for came back (`claimed` undefined when it failed). */
  settleEager(start: EagerStart, claimed: readonly ClaimedTask[] | undefined): void {
    this.pipeline?.settleEager(start, claimed);
  }

  release(): void {
    if (--this.holds > 0) return;
    if (this.pipeline !== undefined) this.pipeline.released();
    else if (this.pumpAgain) this.pump();
  }

  /** The backend signalled work (new tasks ready, a retry due, a reconnect): claim again. */
  wake(): void {
    if (this.pipeline !== undefined) this.pipeline.wake();
    else this.pump();
  }

  /** Claims more work if there are free slots; cheap to call often. */
  pump(): void {
    const sync = this.sync;
    if (sync === undefined) return this.pipeline!.pump();
    if (this.pumping || this.holds > 0) {
      this.pumpAgain = true;
      return;
    }
    if (!this.started || this.stopped || this.inFlight >= this.options.concurrency) return;
    this.pumping = true;
    this.fillSync(sync);
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
   * Async backends: outcomes reported in the background at most (slot already
   * freed): as many as the buffer holds ahead of the slots, `max(concurrency,
   * prefetch)`, plus as many again (at most {@link EXTRA_REPORTS}). A backend
   * batches outcomes, one batch in flight while the next fills (on Postgres,
   * one completion transaction at a time): with only one batch's worth
   * allowed, the worker stopped starting tasks for every completion round
   * trip once that batch was out.
   */
  private maxReporting(): number {
    const ahead = Math.max(this.options.concurrency, this.pipeline?.prefetch ?? 0);
    return ahead + Math.min(ahead, EXTRA_REPORTS);
  }

  /**
   * Called by the executor (async backends) when a handler settled and its
   * outcome is being reported: frees the slot unless {@link maxReporting}
   * outcomes are already outstanding, in which case the attempt
   * keeps its slot until its own report is acknowledged (so new starts
   * wait). True when freed.
   */
  readonly releaseSlot = (): boolean => {
    if (this.reporting >= this.maxReporting()) return false;
    this.reporting++;
    this.inFlight--;
    this.pipeline!.pumpWithReport();
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
    this.pipeline?.dropRun(runId);
    for (const exec of this.executor.active.toArray()) {
      if (exec.runId !== runId) continue;
      exec.lost = true;
      exec.abort(reason);
    }
  }

  private async heartbeat(): Promise<void> {
    if (this.executor.active.size === 0 && this.buffered === 0) return;
    const executions = this.executor.active.toArray();
    const leases: LeaseRef[] = executions.map((e) => e.claimed);
    // Buffered tasks hold leases too: keep them alive until they start or are handed back.
    const buffered = this.pipeline?.bufferedLeases();
    if (buffered !== undefined) leases.push(...buffered.leases);
    try {
      const lost = await this.rt.coordinator.heartbeat(leases, this.options.leaseMs);
      this.healthy = true;
      buffered?.renewed();
      if (lost.length === 0) return;
      // A token alone is not unique across tasks (in-process backends use the attempt number).
      const keys = new Set(lost.map(leaseKey));
      if (this.buffered > 0) this.pipeline?.dropBuffered((task) => keys.has(leaseKey(task)));
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
    // Claims in flight must land (and be handed back) before the backend closes; buffered tasks never
    // started: hand them back now, attempts refunded.
    await this.pipeline?.stop();
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

function leaseKey(lease: LeaseRef): string {
  return `${lease.runId}\u0000${lease.task}\u0000${lease.token}`;
}
