/**
 * The worker's claim loop for asynchronous backends (every call a round
 * trip). A slot is free again as soon as its handler settles, while the
 * outcome is reported in the background (bounded, by the worker); a small
 * buffer of claimed-but-not-started tasks lets a freed slot start the next
 * task with no round trip, up to {@link CLAIMS_IN_FLIGHT} claims staying in
 * flight while the buffer runs low. A claim that comes back short means
 * nothing more is ready: the pipeline then claims again only with an outcome
 * report or on the backend's work signal (see `Coordinator.claim()`).
 */
import { performance } from "node:perf_hooks";
import { setImmediate as yieldTurn } from "node:timers/promises";
import type { ClaimedTask, ClaimRequest, LeaseRef } from "../backend/types.js";
import { FlowMeshError, serializeError } from "../errors.js";
import { ClaimFence } from "./claim-fence.js";
import type { ClaimWindow } from "./claim-window.js";
import type { EngineRuntime } from "./runtime.js";

/**
 * Claims an async backend worker keeps in flight at most. Two keep the
 * backend busy while this process starts one batch: with one, the backend
 * idles for every batch's turn here (and a backend that sends a worker's
 * outcomes with its claim, like Redis, would run in lockstep with it).
 */
const CLAIMS_IN_FLIGHT = 2;

/** How often a buffer above its floor is re-sized and trimmed while no task starts (ms). */
const TRIM_CHECK_MS = 100;

/** What the pipeline needs of the worker it feeds. */
export interface PipelineHost {
  readonly workerId: string;
  readonly concurrency: number;
  readonly leaseMs: number;
  /** Claims per backend call at most. */
  readonly claimBatch: number;
  /** Attempts holding a slot now. */
  running(): number;
  started(): boolean;
  stopped(): boolean;
  /** Claiming is on hold (see `Worker.hold()`). */
  held(): boolean;
  /** Starts a claimed task in a free slot. */
  execute(task: ClaimedTask): void;
  /** A claim succeeded: the backend is reachable. */
  claimed(): void;
  /** A claim failed. */
  claimFailed(error: unknown): void;
  /** Handing a task back failed. */
  reportError(error: unknown): void;
}

export class ClaimPipeline {
  /** Claimed, leased, not started yet: oldest first. */
  private readonly buffer: Buffered[] = [];
  /** The claim loops in progress. */
  private readonly filling = new Set<Promise<void>>();
  /** Claims in flight. */
  private claiming = 0;
  /** Eager starts in flight (runs being created with their roots leased here, see `reserveEager`). */
  private eager = 0;
  /** Settle when their eager start's creation came back (`stop()` waits for them). */
  private readonly eagerStarts = new Set<Promise<void>>();
  /** Samples the window and trims the buffer while it holds more than the floor and nothing else does. */
  private trimTimer: NodeJS.Timeout | undefined;
  /** Tasks the claims in flight may bring (their `max`): the next claim leaves room for them. */
  private expected = 0;
  /** Something asked for a claim while one was in flight or claiming was held. */
  private pumpAgain = false;
  /** Starting buffered tasks right now (re-entrancy guard). */
  private starting = false;
  private startAgain = false;
  /** Drops the tasks of runs cancelled while the claim that brought them was in flight. */
  private readonly fence = new ClaimFence();
  /**
   * The last claim came back short (fewer tasks than asked): nothing more was
   * ready, and the backend signals work when that changes. Until it does,
   * only a claim that rides along with an outcome report goes out (it may
   * take the dependents that outcome makes ready).
   */
  private drained = false;
  /** Counts the backend's work signals: a claim sent before one cannot say the queue is drained. */
  private wakes = 0;
  /** The last claim brought all it asked for: more work is likely queued. */
  private lastClaimFull = false;
  /** True while an outcome report has just been queued (a claim sent now goes with it). */
  private reportQueued = false;

  /** @param window how many claimed tasks to keep ready beyond the free slots (0: no claiming ahead). */
  constructor(
    private readonly rt: EngineRuntime,
    private readonly host: PipelineHost,
    private readonly window: ClaimWindow,
  ) {}

  /** Claimed tasks to keep ready to start beyond the free slots, now. */
  get prefetch(): number {
    return this.window.size;
  }

  /** Claimed tasks waiting for a slot. */
  get buffered(): number {
    return this.buffer.length;
  }

  /** The backend signalled work (new tasks ready, a retry due, a reconnect): claim again. */
  wake(): void {
    this.wakes++;
    this.drained = false;
    this.pump();
  }

  /** Claiming was held and no longer is: claim if anything asked meanwhile. */
  released(): void {
    if (this.pumpAgain) this.pump();
  }

  /** A slot was freed with its outcome queued for reporting: a claim sent now rides along with it. */
  pumpWithReport(): void {
    this.reportQueued = true;
    try {
      this.pump();
    } finally {
      this.reportQueued = false;
    }
  }

  /** Starts buffered tasks in free slots, then claims if the buffer runs low; cheap to call often. */
  pump(): void {
    if (this.host.held() || this.claiming > 0) {
      // A claim in flight loops again when it lands; a hold ends with `released()`.
      this.pumpAgain = true;
      if (this.host.held()) return;
    }
    if (!this.host.started() || this.host.stopped()) return;
    this.startBuffered();
    if (this.claiming < CLAIMS_IN_FLIGHT) {
      if (this.claimSize() > 0) {
        this.claiming++;
        const loop = this.fill();
        this.filling.add(loop);
        void loop.finally(() => this.filling.delete(loop));
      } else if (this.eager > 0) {
        // Slots reserved for an eager start may be what leaves no room: ask again when it settles.
        this.pumpAgain = true;
      }
    }
  }

  /** Aborts a run's buffered tasks (they never start) and drops its tasks from the claims in flight. */
  dropRun(runId: string): void {
    if (this.buffer.length > 0) this.dropBuffered((task) => task.runId === runId);
    this.fence.cancel(runId);
  }

  /**
   * The buffered tasks' leases, for a heartbeat sent now; `renewed()` after
   * it succeeded extends how long they are trusted.
   */
  bufferedLeases(): { leases: LeaseRef[]; renewed: () => void } {
    const buffered = this.buffer.slice();
    const sentAt = performance.now();
    return {
      leases: buffered.map((entry) => entry.task),
      renewed: () => {
        for (const entry of buffered) entry.leaseUntil = sentAt + this.host.leaseMs;
      },
    };
  }

  /** Removes buffered tasks that must not start. */
  dropBuffered(drop: (task: ClaimedTask) => boolean): void {
    const keep = this.buffer.filter((entry) => !drop(entry.task));
    if (keep.length === this.buffer.length) return;
    this.buffer.length = 0;
    this.buffer.push(...keep);
    this.pump();
  }

  /**
   * Waits for the claims and eager starts in flight (their tasks are handed
   * back), then hands back the buffer; resolves once every hand-back is done.
   */
  async stop(): Promise<void> {
    this.disarmTrim();
    while (this.filling.size > 0 || this.eagerStarts.size > 0) {
      await Promise.all([...this.filling, ...this.eagerStarts]);
    }
    await this.handBack(this.buffer.splice(0).map((entry) => entry.task));
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
        while (
          this.buffer.length > 0 &&
          this.host.running() < this.host.concurrency &&
          !this.host.stopped()
        ) {
          const entry = this.buffer.shift()!;
          const now = performance.now();
          // Not renewed in time (heartbeats failing): the lease may be someone else's by now.
          if (entry.leaseUntil < now) this.expired(entry.task);
          else {
            this.window.started(now);
            this.host.execute(entry.task);
          }
        }
      } while (this.startAgain);
      // A slot waits for a claim while the last one came back full (work is queued): the buffer did not
      // cover the round trip.
      if (this.buffer.length === 0 && this.lastClaimFull && this.host.running() < this.host.concurrency) {
        this.window.underrun();
      }
      if (this.window.adaptive) this.checkTrim();
    } finally {
      this.starting = false;
    }
  }

  /**
   * How many tasks to claim now: what the slots and the prefetch buffer hold
   * together, less what is running, buffered and coming in claims already in
   * flight, and at most half of that capacity (and the backend's batch), so
   * two claims can be in flight; 0 while the buffer holds at least half of
   * the prefetch and no slot is free.
   */
  private claimSize(): number {
    if (this.drained && !this.reportQueued) return 0;
    const prefetch = this.window.size;
    const coming = this.buffer.length + this.expected;
    const free = this.host.concurrency - this.host.running() - coming;
    if (this.buffer.length >= Math.ceil(prefetch / 2) && free <= 0) return 0;
    const maxClaim = Math.min(
      this.host.claimBatch,
      Math.ceil((this.host.concurrency + prefetch) / CLAIMS_IN_FLIGHT),
    );
    return Math.min(maxClaim, free + prefetch);
  }

  /** One of up to {@link CLAIMS_IN_FLIGHT} loops, each keeping a claim in flight while slots or the buffer want tasks. */
  private async fill(): Promise<void> {
    try {
      for (;;) {
        if (this.host.stopped()) break;
        if (this.host.held()) {
          // `released()` pumps again.
          this.pumpAgain = true;
          break;
        }
        // No room: claims in flight or running tasks will loop again (a wake-up stays noted meanwhile).
        const max = this.claimSize();
        if (max <= 0) break;
        // This claim answers every wake-up so far.
        this.pumpAgain = false;
        const sentAt = performance.now();
        const seq = this.fence.send();
        this.expected += max;
        const wakes = this.wakes;
        let claimed: readonly ClaimedTask[];
        let received: number;
        try {
          const reply = await this.rt.coordinator.claim({
            workerId: this.host.workerId,
            max,
            leaseMs: this.host.leaseMs,
          });
          received = reply.length;
          claimed = this.fence.land(seq, reply);
        } catch (error) {
          this.fence.land(seq, []);
          throw error;
        } finally {
          this.expected -= max;
        }
        this.window.answered(performance.now() - sentAt, received === max);
        this.host.claimed();
        this.drained = received < max && this.wakes === wakes;
        // Full, and sized by the buffer rather than the backend's batch: a bigger buffer would claim more.
        this.lastClaimFull = received === max && max < this.host.claimBatch;
        if (this.host.stopped()) {
          await this.handBack(claimed);
          break;
        }
        const leaseUntil = sentAt + this.host.leaseMs;
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
      this.lastClaimFull = false;
      this.host.claimFailed(error);
    } finally {
      this.claiming--;
    }
  }

  /**
   * Eager start: room for up to `roots` root tasks of a run this process is
   * about to create, leased to this worker by the creation itself. Only when
   * the worker is idle enough that a claim would find nothing else: started,
   * not held, its last claim came back short (nothing queued), nothing
   * buffered or being claimed, and a slot free. The slots stay reserved (as
   * a claim in flight's) until {@link settleEager}. Undefined when not now.
   */
  reserveEager(roots: number): EagerStart | undefined {
    if (!this.host.started() || this.host.stopped() || this.host.held()) return undefined;
    if (!this.drained || this.claiming > 0 || this.buffer.length > 0) return undefined;
    const free = this.host.concurrency - this.host.running() - this.expected;
    const max = Math.min(free, roots, this.host.claimBatch);
    if (max <= 0) return undefined;
    this.expected += max;
    this.eager++;
    const seq = this.fence.send();
    let settled!: () => void;
    const done = new Promise<void>((resolve) => (settled = resolve));
    this.eagerStarts.add(done);
    return {
      request: { workerId: this.host.workerId, max, leaseMs: this.host.leaseMs },
      seq,
      sentAt: performance.now(),
      settled: () => {
        this.eagerStarts.delete(done);
        settled();
      },
    };
  }

  /**
   * The creation `start` reserved for came back with `claimed` (undefined when
   * it failed, or the backend leased nothing): starts them like claimed tasks
   * (those of a run cancelled meanwhile dropped; handed back if stopping).
   */
  settleEager(start: EagerStart, claimed: readonly ClaimedTask[] | undefined): void {
    try {
      this.acceptEager(start, claimed);
    } finally {
      start.settled();
    }
  }

  private acceptEager(start: EagerStart, claimed: readonly ClaimedTask[] | undefined): void {
    this.expected -= start.request.max;
    this.eager--;
    const tasks = this.fence.land(start.seq, claimed ?? []);
    if (tasks.length > 0) {
      if (this.host.stopped()) {
        const handing = this.handBack(tasks);
        this.filling.add(handing);
        void handing.finally(() => this.filling.delete(handing));
        return;
      }
      const leaseUntil = start.sentAt + this.host.leaseMs;
      for (const task of tasks) this.buffer.push({ task, leaseUntil });
      this.startBuffered();
    }
    // A claim the reservation held back goes out now that its slots are free.
    if (this.pumpAgain && this.claiming === 0) this.pump();
  }

  /**
   * Returns claimed tasks that will not start here to the queue at once,
   * without using an attempt, so another worker can take them now instead of
   * after their lease expires.
   */
  private async handBack(
    tasks: readonly ClaimedTask[],
    why: "stopped" | "shrank" = "stopped",
  ): Promise<void> {
    if (tasks.length === 0) return;
    const error = serializeError(
      why === "stopped"
        ? new FlowMeshError("FM_ERR_CLOSED", "the worker stopped before starting the task: handed back")
        : new FlowMeshError(
            "FM_ERR_HANDED_BACK",
            "handed back unstarted: tasks slowed down and the worker's prefetch buffer shrank",
          ),
    );
    await Promise.all(
      tasks.map((task) =>
        this.rt.coordinator.fail(task, { error, durationMs: 0, retryDelayMs: 0, refundAttempt: true }).then(
          () => undefined,
          (failure: unknown) => this.host.reportError(failure),
        ),
      ),
    );
  }

  /**
   * Tasks slowed down and the buffer shrank: what it holds beyond twice its
   * size goes back for other workers, newest first, a claim's worth at a
   * time. While the buffer holds more than the floor, a timer keeps sampling
   * the window, since with every slot busy on long tasks nothing else would.
   */
  private checkTrim(): void {
    if (this.host.stopped()) return;
    const size = this.window.size;
    if (this.buffer.length > 2 * size) {
      const excess = Math.min(this.buffer.length - size, this.host.claimBatch);
      const tasks = this.buffer.splice(this.buffer.length - excess).map((entry) => entry.task);
      const handing = this.handBack(tasks, "shrank");
      this.filling.add(handing);
      void handing.finally(() => this.filling.delete(handing));
    }
    if (this.buffer.length > this.window.floor) this.armTrim();
    else this.disarmTrim();
  }

  private armTrim(): void {
    if (this.trimTimer !== undefined) return;
    this.trimTimer = setTimeout(() => {
      this.trimTimer = undefined;
      this.window.tick();
      this.checkTrim();
    }, TRIM_CHECK_MS);
    this.trimTimer.unref();
  }

  private disarmTrim(): void {
    if (this.trimTimer === undefined) return;
    clearTimeout(this.trimTimer);
    this.trimTimer = undefined;
  }

  /** A buffered task whose lease this worker could not renew in time: dropped, never started. */
  private expired(task: ClaimedTask): void {
    this.rt.logger.warn(
      { workflow_id: task.runId, task_name: task.task, attempt: task.attempt },
      "buffered task not started: its lease could not be renewed in time",
    );
  }
}

/** Slots reserved for an eager start (see `ClaimPipeline.reserveEager`). */
export interface EagerStart {
  /** What the creation asks the backend to lease. */
  readonly request: ClaimRequest;
  /** Numbered like a claim, for cancellations that happen while it is in flight. */
  readonly seq: number;
  readonly sentAt: number;
  /** Tells `stop()` this start is settled. */
  readonly settled: () => void;
}

/** A buffered task and until when (this process's clock, conservatively) its lease surely holds. */
interface Buffered {
  readonly task: ClaimedTask;
  leaseUntil: number;
}
