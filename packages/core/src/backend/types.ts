/**
 * The two backend tiers. A {@link RunStore} is the "20-line custom backend":
 * core wraps it in a local coordinator for single-process durability. A
 * {@link Coordinator} is what multi-process execution needs; memory, Redis and
 * Postgres implement it and all pass `@flowmesh/core/testing`'s conformance suite.
 */
import type { SerializedError } from "../errors.js";
import type { RunEvent, RunFilter, RunPage, RunRecord, RunStatus, TerminalRunStatus } from "../types.js";

// ---------------------------------------------------------------- run store

/**
 * Saves and loads run records. That is all a custom store needs: core keeps
 * the queue in process, saves every state change before acknowledging it,
 * and on start resumes unfinished runs without re-running saved tasks.
 */
export interface RunStore {
  /** Writes the whole record (insert or replace). Resolve only once it is durable. */
  save(run: RunRecord): Promise<void>;
  get(id: string): Promise<RunRecord | undefined>;
  /** Every stored record; core filters and sorts. */
  list(): Promise<RunRecord[]>;
  /** Optional: remove a record (retention). */
  delete?(id: string): Promise<void>;
  close?(): Promise<void>;
}

// ---------------------------------------------------------------- coordinator

/** One task of a run's graph, as handed to the backend when the run is created. */
export interface GraphTask {
  name: string;
  dependsOn: readonly string[];
  priority: number;
}

/** A run's dependency graph. Core builds one per workflow version and reuses it; tasks are in topological order. */
export interface RunGraph {
  readonly tasks: readonly GraphTask[];
}

export interface CreateRunRequest {
  /** Id chosen by core (time-ordered UUIDv7). */
  id: string;
  workflow: string;
  version: string;
  /** The workflow's namespace; stored with the run and filterable in `listRuns`. */
  namespace: string;
  input: unknown;
  graph: RunGraph;
  idempotencyKey?: string | undefined;
  /** Fingerprint of the request a key was first used with; stored with the run. */
  requestHash?: string | undefined;
  startedBy?: string | undefined;
  /** Whole-run timeout; the backend stores `deadlineAt` from its own clock. */
  timeoutMs?: number | undefined;
  /**
   * Eager start (optional for backends): lease up to `max` of the new run's
   * root tasks to this worker in the same atomic step as the creation,
   * highest priority first, exactly as a `claim` would (attempt, lease,
   * `task:started`/`run:started` events), and return them in
   * {@link CreateRunResult.claimed}; the other roots are queued as usual.
   * Core asks only when the starting process's worker has free slots and
   * nothing queued for it, so the run's first tasks skip a claim round trip,
   * and only from a coordinator that declares {@link Coordinator.eagerStart}
   * (one that does not ignores it: the roots are queued and claimed as usual).
   * Ignored when the idempotency key names an existing run.
   */
  claim?: ClaimRequest | undefined;
}

/** A run without its per-task records: what creating a run returns. */
export type RunSummary = Omit<RunRecord, "tasks" | "taskOrder">;

export interface CreateRunResult {
  /** The new run, or the existing one whose idempotency key matched. */
  run: RunSummary;
  /** False when the idempotency key matched an existing run, which is returned instead. */
  created: boolean;
  /** The root tasks leased to the caller with the creation (see {@link CreateRunRequest.claim}). */
  claimed?: ClaimedTask[] | undefined;
}

/** Identifies a lease: outcomes are accepted only while `token` still holds the task. */
export interface LeaseRef {
  runId: string;
  task: string;
  token: string;
}

/** A task handed to a worker. */
export interface ClaimedTask extends LeaseRef {
  /** Position of the task in the run's graph (the order handed to `createRun`). */
  index: number;
  workflow: string;
  version: string;
  /** 1 for the first attempt. */
  attempt: number;
  /**
   * Attempt number within the current retry round: equal to `attempt` until a
   * run is retried, then counting from 1 again so the retry policy applies anew.
   */
  roundAttempt?: number;
  input: unknown;
  /** Outputs of the task's dependencies by name. */
  deps: Record<string, unknown>;
  /** Lease expiry, backend clock. */
  leaseExpiresAt: number;
  /** When it became ready (queue-wait metrics). */
  readyAt: number;
}

export interface ClaimRequest {
  workerId: string;
  /** Claim at most this many. */
  max: number;
  leaseMs: number;
}

export interface CompleteRequest {
  output: unknown;
  durationMs: number;
  /** The task was skipped by a hook that supplied its output. */
  skipped?: boolean;
}

export interface FailRequest {
  error: SerializedError;
  durationMs: number;
  /** Retry later: the task is claimable again this many ms from now (backend clock). */
  retryDelayMs?: number;
  /**
   * With `retryDelayMs`: this failure was not an attempt (a circuit breaker
   * failed it fast without calling the handler), so the next claim reports the
   * same `attempt` and `roundAttempt` as this one instead of one more.
   */
  refundAttempt?: boolean;
  /** When final: tasks to mark `upstream_failed` (core computes the downstream closure). */
  downstream?: readonly string[];
}

/** What happened to an outcome. */
export type OutcomeResult =
  | {
      ok: true;
      /** The run's final status, when this outcome ended it. */
      runStatus?: TerminalRunStatus;
      /**
       * When this outcome ended the run (optional): its start and end times,
       * so the engine can log a succeeded run without reading it back.
       */
      runTimes?: { startedAt?: number | undefined; endedAt: number };
      /**
       * The ended run's result, when the backend returns it with the outcome
       * (optional: the engine reads it otherwise). Saves the engine that
       * ended the run a read before it releases its own `result()` callers.
       */
      result?: RunResult;
    }
  | { ok: false; reason: "lease_lost" };

export interface FinishRunRequest {
  status: Extract<TerminalRunStatus, "cancelled" | "timed_out">;
  reason?: string;
}

export interface RetryRunRequest {
  /** Tasks to reset to pending (core computes the set). */
  reset: readonly string[];
}

export interface RecoverResult {
  /** Expired leases returned to the queue. */
  leases: number;
  /** Runs ended `timed_out` because their deadline passed. */
  timedOut: string[];
  /**
   * Runs that had ended but whose end was not saved (the save failed) and now
   * is: the caller runs their end-of-run hooks, which the failed save skipped.
   */
  ended?: string[];
}

/** A run's status and, once it succeeded, every task's output by name (empty for other statuses). */
export interface RunResult {
  status: RunStatus;
  outputs: Record<string, unknown>;
  startedAt?: number | undefined;
  endedAt?: number | undefined;
  error?: (SerializedError & { task?: string }) | undefined;
}

/** What {@link Coordinator.health} reports. */
export interface CoordinatorHealth {
  healthy: boolean;
  /** Why it is unhealthy (e.g. `connection reconnecting`). */
  detail?: string;
}

/** Wake-ups and notifications a coordinator pushes to subscribers. */
export type CoordinatorSignal =
  | { type: "work" }
  | {
      type: "run-finished";
      runId: string;
      status: TerminalRunStatus;
      /** The run's result, when the backend sent it along: waiters are released without reading it. */
      result?: RunResult;
    }
  | { type: "run-cancelled"; runId: string };

export interface ReadEventsOptions {
  /** Return events after this id (exclusive). */
  after?: string;
  /** @default 1000 */
  limit?: number;
}

/**
 * Synchronous variants of the hot-path calls, for coordinators whose state
 * lives in this process and is not persisted elsewhere (the memory backend).
 * Same semantics as the async methods; the engine uses them when present,
 * saving a promise and a microtask turn per task. With `failSync`, a failed
 * attempt's events are emitted in the same turn as the failure is recorded,
 * so a claim cannot start the task's retry in between.
 */
export interface SyncCoordinatorOps {
  claimSync(request: ClaimRequest): ClaimedTask[];
  completeSync(lease: LeaseRef, request: CompleteRequest): OutcomeResult;
  failSync?(lease: LeaseRef, request: FailRequest): OutcomeResult;
}

/**
 * The atomic primitives core needs to run workflows across processes. Every
 * outcome is fenced: one from a lease that expired or was superseded changes
 * nothing and returns `{ ok: false, reason: "lease_lost" }`. Lease times come
 * from the backend's clock. DAG semantics (which tasks to reset or mark
 * upstream_failed) are computed in core and handed in.
 */
export interface Coordinator {
  /** Short name for logs and health (`memory`, `redis`, `postgres`). */
  readonly kind: string;
  /** Present only on in-process, non-persisting coordinators: see {@link SyncCoordinatorOps}. */
  readonly sync?: SyncCoordinatorOps | undefined;
  /**
   * True when `createRun` honours `claim` (eager start, see
   * {@link CreateRunRequest.claim}): only then does the engine reserve slots
   * for a new run's roots.
   */
  readonly eagerStart?: boolean | undefined;
  /** Connects, migrates, resumes. Called once by the engine before use. */
  start?(): Promise<void>;
  /** Creates a run and queues its root tasks (or leases some, see `claim`); idempotent by `idempotencyKey`. */
  createRun(request: CreateRunRequest): Promise<CreateRunResult>;
  /**
   * Claims up to `max` ready tasks, highest priority first, then oldest.
   * Fewer than `max` tells the worker nothing more is claimable right now: it
   * claims again when an outcome it reports may have readied work, or on the
   * next `work` signal, which the backend must send when tasks become ready.
   */
  claim(request: ClaimRequest): Promise<ClaimedTask[]>;
  /** Extends leases; returns those that are lost (expired, taken over, run ended). */
  heartbeat(leases: readonly LeaseRef[], leaseMs: number): Promise<LeaseRef[]>;
  /** Commits a task's output and queues every dependent it made ready, in one atomic step. */
  complete(lease: LeaseRef, request: CompleteRequest): Promise<OutcomeResult>;
  /** Fails an attempt: retry later when `retryDelayMs` is set, otherwise final. */
  fail(lease: LeaseRef, request: FailRequest): Promise<OutcomeResult>;
  /** Ends a non-terminal run as cancelled or timed out; returns the record if this call ended it. */
  finishRun(runId: string, request: FinishRunRequest): Promise<RunRecord | undefined>;
  /** Re-opens a finished run, resetting the given tasks. */
  retryRun(runId: string, request: RetryRunRequest): Promise<RunRecord>;
  /** Returns expired leases to the queue and times out runs past their deadline. */
  recover(): Promise<RecoverResult>;
  getRun(runId: string): Promise<RunRecord | undefined>;
  /**
   * Optional: status and outputs without per-task records, for `handle.result()`.
   * Core derives it from `getRun` when a backend does not offer it.
   */
  getResult?(runId: string): Promise<RunResult | undefined>;
  listRuns(filter: RunFilter): Promise<RunPage>;
  /** The run's event log in order. */
  readEvents(runId: string, options?: ReadEventsOptions): Promise<RunEvent[]>;
  /** Subscribes to wake-ups; returns an unsubscribe function. */
  subscribe(listener: (signal: CoordinatorSignal) => void): () => void;
  /** Ready + retrying tasks waiting to be claimed (for metrics and health). */
  queueDepth(): Promise<number>;
  /**
   * Optional: the backend's connection health without a round trip (false
   * while its server is unreachable). `engine.health()` reports unhealthy
   * then, even when the worker is idle and made no call that could fail.
   */
  health?(): CoordinatorHealth;
  /**
   * Optional: how many runs are not finished yet (`pending` or `running`),
   * across every process, counted cheaply (for metrics). Engines report
   * `activeRuns: undefined` in their stats when a backend does not offer it.
   */
  countActiveRuns?(): Promise<number>;
  close(): Promise<void>;
}
