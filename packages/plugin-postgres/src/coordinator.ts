/**
 * The PostgreSQL coordinator: runs, tasks and events in three tables; every
 * transition one statement or one function call (one round trip, one
 * transaction); claims with `FOR UPDATE SKIP LOCKED`; completes and claims
 * batched adaptively across concurrent callers; lease times from the
 * database clock; wake-ups over LISTEN/NOTIFY with a polling fallback.
 */
import { FlowMeshError, type RunEvent, type RunFilter, type RunPage, type RunRecord } from "@flowmesh/core";
import type {
  ClaimedTask,
  ClaimRequest,
  CompleteRequest,
  Coordinator,
  CoordinatorHealth,
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
} from "@flowmesh/core/plugin";
import type { TerminalRunStatus } from "@flowmesh/core";
import pg from "pg";
import { Batcher } from "./batcher.js";
import { graphJson, rootCount } from "./graph-json.js";
import { assertSchemaName, channelOf } from "./identifier.js";
import { encodeCursor, listRunsQuery } from "./list-runs.js";
import { DEFAULT_SCHEMA, runMigrations, verifySchema } from "./migrate.js";
import { connectionConfig, type PostgresCoordinatorOptions, type PruneOptions } from "./options.js";
import { ended, finished, LOST, OK } from "./outcomes.js";
import { buildQueries, type Queries } from "./queries.js";
import {
  isToken,
  isUuid,
  toClaimed,
  toEvent,
  toJson,
  toRecord,
  toResult,
  toSummary,
  type ClaimRow,
  type CreateResultJson,
  type EventRow,
  type ResultRow,
  type RetryRow,
  type RunJson,
  type SkippedRow,
} from "./records.js";
import { Notifier } from "./notifier.js";
import { retryRefused, unknownRun } from "./errors.js";
import { Signals } from "./signals.js";
import { StatementRunner } from "./statement-runner.js";

const NOTHING: ClaimedTask[] = Object.freeze([]) as unknown as ClaimedTask[];
const PRUNE_EVERY_MS = 60_000;

interface CompleteItem {
  lease: LeaseRef;
  token: string;
  output: string | null;
  request: CompleteRequest;
}

interface ClaimItem {
  request: ClaimRequest;
}

export class PostgresCoordinator implements Coordinator {
  readonly kind = "postgres";
  /** `createRun` leases roots when asked (eager start). */
  readonly eagerStart = true;
  /** The validated schema name. */
  readonly schema: string;
  private readonly options: PostgresCoordinatorOptions;
  private readonly q: Queries;
  private readonly tag: string;
  private poolRef: pg.Pool | undefined;
  private ownsPool = false;
  private starting: Promise<void> | undefined;
  private closed = false;
  private readonly db: StatementRunner;
  private readonly signals: Signals;
  private readonly completes: Batcher<CompleteItem, OutcomeResult>;
  private readonly claims: Batcher<ClaimItem, ClaimedTask[]>;
  private readonly creates: Batcher<CreateRunRequest, CreateResultJson>;
  private readonly results: Batcher<string, RunResult | undefined>;
  private readonly notifier: Notifier;
  /** Claims in a row that got nothing but tasks passed over on locked runs (see sendClaims). */
  private skippedInARow = 0;
  private lastPruneAt = 0;
  private readonly onPoolError = (error: Error): void => {
    // An idle connection died (terminated, network): the pool drops it; the next query reconnects.
    this.db.markDown(error.message);
  };

  constructor(options: PostgresCoordinatorOptions = {}) {
    this.options = options;
    this.schema = assertSchemaName(options.schema ?? DEFAULT_SCHEMA, "postgres backend");
    if (options.pool === undefined && options.connectionString === undefined) {
      throw new FlowMeshError(
        "FM_ERR_INVALID_OPTIONS",
        "postgres backend: pass a connectionString or a pool",
        {
          details: { path: "connectionString" },
        },
      );
    }
    this.q = buildQueries(this.schema);
    this.tag = this.q.claim.name.split("_")[1]!;
    this.db = new StatementRunner({
      pool: () => this.poolRef,
      start: () => this.ensureStarted(),
      closed: () => this.closed,
    });
    const channel = channelOf(this.schema);
    this.notifier = new Notifier(() => this.poolRef, channel, this.q.notify.name);
    this.signals = new Signals({
      coordinatorOptions: options,
      queries: this.q,
      runner: this.db,
      notifier: this.notifier,
      channel,
      started: () => this.poolRef !== undefined,
      closed: () => this.closed,
    });
    // Group commit: one completion transaction in flight at a time; whatever finishes meanwhile is
    // committed together in the next one (fewer, larger commits; an idle process still sends at once).
    this.completes = new Batcher({ send: (items) => this.sendCompletes(items), maxInFlight: 1 });
    this.claims = new Batcher({ send: (items) => this.sendClaims(items), splitOnError: false });
    this.creates = new Batcher({ send: (items) => this.sendCreates(items) });
    this.results = new Batcher({ send: (ids) => this.sendResults(ids), maxBatch: 1000, splitOnError: false });
  }

  /** The pool in use (after `start()`). */
  get pool(): pg.Pool {
    if (this.poolRef === undefined) {
      throw new FlowMeshError("FM_ERR_INVALID_STATE", "postgres backend: call start() first");
    }
    return this.poolRef;
  }

  /** Connects and migrates (or, with `migrate: false`, checks the schema). Idempotent. */
  start(): Promise<void> {
    this.starting ??= this.open();
    return this.starting;
  }

  private async open(): Promise<void> {
    const o = this.options;
    if (o.pool !== undefined) this.poolRef = o.pool;
    else {
      this.poolRef = new pg.Pool({ ...connectionConfig(o), max: o.poolSize ?? 10 });
      this.ownsPool = true;
    }
    this.poolRef.on("error", this.onPoolError);
    try {
      if (o.migrate === false) await verifySchema(this.poolRef, this.schema);
      else await runMigrations({ pool: this.poolRef, schema: this.schema });
    } catch (error) {
      await this.close();
      throw error;
    }
    // close() may be under way (it waits for calls in flight before dropping subscribers): start nothing more.
    if (!this.closed) this.signals.listenIfSubscribed();
  }

  private async ensureStarted(): Promise<pg.Pool> {
    if (this.closed) throw new FlowMeshError("FM_ERR_CLOSED", "the postgres backend is closed");
    if (this.poolRef === undefined || this.starting === undefined) await this.start();
    else await this.starting;
    return this.poolRef!;
  }

  // ------------------------------------------------------------ runs

  async createRun(request: CreateRunRequest): Promise<CreateRunResult> {
    if (!isUuid(request.id)) {
      throw new FlowMeshError(
        "FM_ERR_INVALID_OPTIONS",
        `createRun: run id must be a UUID, received "${request.id}"`,
        {
          details: { path: "id" },
        },
      );
    }
    toJson(request.input);
    await this.ensureStarted();
    const [created, run, leased] = await this.creates.submit(request);
    if (leased === undefined) return { run: toSummary(run), created };
    return { run: toSummary(run), created, claimed: leased.map(toClaimed) };
  }

  private async sendCreates(items: CreateRunRequest[]): Promise<CreateResultJson[]> {
    // An eager start leases roots in the same call (migration 2's create_runs); one worker per engine.
    const eager = items.find((r) => r.claim !== undefined)?.claim;
    const statement = eager === undefined ? this.q.createRuns : this.q.createRunsEager;
    const extra =
      eager === undefined
        ? []
        : [
            items.map((r) => r.claim?.max ?? 0),
            eager.workerId,
            Math.max(...items.map((r) => r.claim?.leaseMs ?? 0)),
          ];
    const rows = await this.db.run<{ r: CreateResultJson }>(statement, [
      items.map((r) => r.id),
      items.map((r) => r.namespace ?? "default"),
      items.map((r) => r.workflow),
      items.map((r) => r.version),
      items.map((r) => toJson(r.input)),
      items.map((r) => r.idempotencyKey ?? null),
      items.map((r) => r.requestHash ?? null),
      items.map((r) => r.startedBy ?? null),
      items.map((r) => r.timeoutMs ?? null),
      items.map((r) => graphJson(r.graph)),
      ...extra,
    ]);
    // Workers are woken only for roots left in the queue (an eager start may have leased them all).
    if (rows.some((row, i) => row.r[0] && (row.r[2]?.length ?? 0) < rootCount(items[i]!.graph))) {
      this.signals.wakeWorkers();
    }
    return rows.map((row) => row.r);
  }

  claim(request: ClaimRequest): Promise<ClaimedTask[]> {
    if (this.closed || request.max < 1) return Promise.resolve(NOTHING);
    return this.claims.submit({ request });
  }

  private async sendClaims(items: ClaimItem[]): Promise<ClaimedTask[][]> {
    const first = items[0]!.request;
    const max = items.reduce((sum, item) => sum + item.request.max, 0);
    const leaseMs = Math.max(...items.map((item) => item.request.leaseMs));
    const rows = await this.db.run<ClaimRow | SkippedRow>(this.q.claim, [first.workerId, max, leaseMs], true);
    const tasks: ClaimedTask[] = [];
    let skipped = false;
    for (const row of rows) {
      if (row.run_id !== null) tasks.push(toClaimed(row));
      else skipped = row.skipped > 0;
    }
    if (skipped) {
      // Ready tasks were passed over while their run's row was locked: look again right after that
      // transaction commits, instead of waiting for a wake-up that was sent before this claim. Claims
      // that keep getting nothing else back off (5 ms, doubling up to 250 ms): a row held for long
      // (an idle transaction) must not turn into fast polling.
      this.skippedInARow = tasks.length === 0 ? this.skippedInARow + 1 : 0;
      this.signals.wakeIn(this.skippedInARow <= 1 ? 0 : Math.min(250, 5 * 2 ** (this.skippedInARow - 1)));
    } else this.skippedInARow = 0;
    // Hand them out in order, each caller at most its max.
    let next = 0;
    return items.map((item) => {
      if (next >= tasks.length) return NOTHING;
      const mine = tasks.slice(next, next + item.request.max);
      next += mine.length;
      return mine;
    });
  }

  async heartbeat(leases: readonly LeaseRef[], leaseMs: number): Promise<LeaseRef[]> {
    const lost: LeaseRef[] = [];
    const checked: LeaseRef[] = [];
    for (const lease of leases) {
      if (isUuid(lease.runId) && isToken(lease.token)) checked.push(lease);
      else lost.push(lease);
    }
    if (checked.length === 0) return lost;
    const rows = await this.db.run<{ i: number }>(
      this.q.heartbeat,
      [checked.map((l) => l.runId), checked.map((l) => l.task), checked.map((l) => l.token), leaseMs],
      true,
    );
    for (const row of rows) lost.push(checked[row.i - 1]!);
    return lost;
  }

  complete(lease: LeaseRef, request: CompleteRequest): Promise<OutcomeResult> {
    if (!isUuid(lease.runId) || !isToken(lease.token)) return Promise.resolve(LOST);
    let output: string | null;
    try {
      output = toJson(request.output);
    } catch (error) {
      return Promise.reject(
        new FlowMeshError(
          "FM_ERR_BACKEND",
          `postgres backend: the output of task "${lease.task}" of run ${lease.runId} is not JSON-serialisable: ${(error as Error).message}`,
          { details: { runId: lease.runId, task: lease.task }, cause: error },
        ),
      );
    }
    return this.completes.submit({ lease, token: lease.token, output, request }).then((result) => {
      if (result.ok && result.runStatus !== undefined) this.signals.announce(lease.runId, result.runStatus);
      return result;
    });
  }

  private async sendCompletes(items: CompleteItem[]): Promise<OutcomeResult[]> {
    const values: unknown[] = [
      items.map((i) => i.lease.runId),
      items.map((i) => i.lease.task),
      items.map((i) => i.token),
      items.map((i) => i.output),
      items.map((i) => i.request.durationMs),
      items.map((i) => i.request.skipped === true),
    ];
    type Row = {
      out_i: number;
      out_ok: boolean;
      out_status: TerminalRunStatus | null;
      out_readied: number;
      out_started: number | null;
      out_ended: number | null;
    };
    const rows = await this.db.run<Row>(this.q.complete, values);
    const results = new Array<OutcomeResult>(items.length).fill(LOST);
    let readied = false;
    for (const row of rows) {
      results[row.out_i - 1] = !row.out_ok
        ? LOST
        : row.out_status === null
          ? OK
          : ended(row.out_status, row.out_started, row.out_ended);
      if (row.out_readied > 0) readied = true;
      if (row.out_status !== null)
        this.notifier.push(`f:${items[row.out_i - 1]!.lease.runId}:${row.out_status}`);
    }
    if (readied) this.signals.wakeWorkers();
    return results;
  }

  async fail(lease: LeaseRef, request: FailRequest): Promise<OutcomeResult> {
    if (!isUuid(lease.runId) || !isToken(lease.token)) return LOST;
    const rows = await this.db.run<{ out_ok: boolean; out_status: TerminalRunStatus | null }>(this.q.fail, [
      lease.runId,
      lease.task,
      lease.token,
      JSON.stringify(request.error),
      request.durationMs,
      request.retryDelayMs ?? null,
      request.refundAttempt === true,
      request.downstream ?? [],
    ]);
    const row = rows[0];
    if (row === undefined || !row.out_ok) return LOST;
    if (request.retryDelayMs !== undefined) {
      this.signals.wakeIn(request.retryDelayMs);
      this.notifier.push(`r:${Math.round(request.retryDelayMs)}`);
    }
    if (row.out_status === null) return OK;
    this.notifier.push(`f:${lease.runId}:${row.out_status}`);
    this.signals.announce(lease.runId, row.out_status);
    return finished(row.out_status);
  }

  async finishRun(runId: string, request: FinishRunRequest): Promise<RunRecord | undefined> {
    if (!isUuid(runId)) return undefined;
    const rows = await this.db.run<{ r: RunJson | null }>(this.q.finishRun, [
      runId,
      request.status,
      request.reason ?? null,
    ]);
    const run = rows[0]?.r;
    if (run === null || run === undefined) return undefined;
    this.signals.ended(runId, request.status);
    return toRecord(run);
  }

  async retryRun(runId: string, request: RetryRunRequest): Promise<RunRecord> {
    if (!isUuid(runId)) throw unknownRun(runId);
    const rows = await this.db.run<RetryRow>(this.q.retryRun, [runId, [...request.reset]]);
    const row = rows[0]!;
    if (row.out_error !== null) throw retryRefused(runId, row);
    this.signals.wakeWorkers();
    return toRecord(row.out_run!);
  }

  async recover(): Promise<RecoverResult> {
    const rows = await this.db.run<{ out_leases: number; out_timed_out: string[] }>(this.q.recover, [], true);
    const row = rows[0]!;
    if (row.out_leases > 0) this.signals.wakeWorkers();
    for (const runId of row.out_timed_out) this.signals.ended(runId, "timed_out");
    const retention = this.options.retentionMs;
    if (retention !== undefined && Date.now() - this.lastPruneAt >= PRUNE_EVERY_MS) {
      this.lastPruneAt = Date.now();
      await this.pruneRuns({ olderThanMs: retention });
    }
    return { leases: row.out_leases, timedOut: row.out_timed_out };
  }

  /**
   * Retention: deletes runs that finished at least `olderThanMs` ago, with
   * their tasks and events, in batches. Returns how many runs were deleted.
   */
  async pruneRuns(options: PruneOptions): Promise<number> {
    if (!Number.isFinite(options.olderThanMs) || options.olderThanMs < 0) {
      throw new FlowMeshError(
        "FM_ERR_INVALID_OPTIONS",
        `pruneRuns: olderThanMs must be a number of ms >= 0, received ${String(options.olderThanMs)}`,
        { details: { path: "olderThanMs" } },
      );
    }
    const batch = options.batchSize ?? 500;
    let total = 0;
    for (;;) {
      const rows = await this.db.run<{ n: number }>(this.q.prune, [options.olderThanMs, batch]);
      const n = rows[0]?.n ?? 0;
      total += n;
      if (n < batch) return total;
    }
  }

  // ------------------------------------------------------------ reads

  async getRun(runId: string): Promise<RunRecord | undefined> {
    if (!isUuid(runId)) return undefined;
    const rows = await this.db.run<{ r: RunJson }>(this.q.getRun, [runId], true);
    return rows[0] === undefined ? undefined : toRecord(rows[0].r);
  }

  /** Batched: concurrent callers (waiters of many runs) share one query. */
  async getResult(runId: string): Promise<RunResult | undefined> {
    if (!isUuid(runId)) return undefined;
    const result = await this.results.submit(runId);
    if (result !== undefined && (result.status === "pending" || result.status === "running"))
      this.signals.watch(runId);
    return result;
  }

  private async sendResults(ids: string[]): Promise<(RunResult | undefined)[]> {
    const rows = await this.db.run<ResultRow>(this.q.getResults, [[...new Set(ids)]], true);
    const byId = new Map<string, RunResult>();
    for (const row of rows) byId.set(row.id, toResult(row));
    return ids.map((id) => byId.get(id.toLowerCase()));
  }

  async listRuns(filter: RunFilter): Promise<RunPage> {
    const query = listRunsQuery(this.q.schemaSql, this.tag, filter);
    const rows = await this.db.run<{ r: RunJson; k: string }>(query, query.values, true);
    const page: RunPage = { runs: rows.slice(0, query.limit).map((row) => toRecord(row.r)) };
    if (rows.length > query.limit) {
      const last = rows[query.limit - 1]!;
      page.nextCursor = encodeCursor(last.k, last.r[0]);
    }
    return page;
  }

  async readEvents(runId: string, options: ReadEventsOptions = {}): Promise<RunEvent[]> {
    const after = options.after ?? "0";
    if (!/^\d{1,18}$/.test(after)) {
      throw new FlowMeshError(
        "FM_ERR_INVALID_OPTIONS",
        `readEvents: "after" must be an event id from this run, received ${JSON.stringify(options.after)}`,
        { details: { path: "after", runId } },
      );
    }
    const limit = options.limit ?? 1000;
    if (!Number.isInteger(limit) || limit < 1) {
      throw new FlowMeshError(
        "FM_ERR_INVALID_OPTIONS",
        `readEvents: "limit" must be a positive integer, received ${String(limit)}`,
        { details: { path: "limit", runId } },
      );
    }
    if (!isUuid(runId)) return [];
    const rows = await this.db.run<EventRow>(this.q.readEvents, [runId, after, limit], true);
    return rows.map((row) => toEvent(runId, row));
  }

  async queueDepth(): Promise<number> {
    const rows = await this.db.run<{ n: number }>(this.q.queueDepth, [], true);
    return rows[0]?.n ?? 0;
  }

  async countActiveRuns(): Promise<number> {
    const rows = await this.db.run<{ n: number }>(this.q.activeRuns, [], true);
    return rows[0]?.n ?? 0;
  }

  // ------------------------------------------------------------ signals and health

  subscribe(listener: (signal: CoordinatorSignal) => void): () => void {
    return this.signals.subscribe(listener);
  }

  /** False while the database is unreachable (the last call failed to connect, or LISTEN is down). */
  health(): CoordinatorHealth {
    const lastError = this.db.lastError;
    if (lastError !== undefined) return { healthy: false, detail: `postgres: ${lastError}` };
    const listener = this.signals.listener;
    if (listener !== undefined && !listener.listening) {
      return { healthy: false, detail: "postgres: LISTEN connection reconnecting (polling meanwhile)" };
    }
    return { healthy: true };
  }

  /** The LISTEN connection's server process id, while it is up (for tests and diagnostics). */
  get listenerPid(): number | undefined {
    const listener = this.signals.listener;
    return listener?.listening === true ? listener.backendPid : undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.signals.stop();
    await Promise.all([
      this.claims.drained(),
      this.completes.drained(),
      this.creates.drained(),
      this.results.drained(),
    ]);
    await this.notifier.flush();
    this.signals.dropSubscribers();
    const pool = this.poolRef;
    if (pool === undefined) return;
    pool.off("error", this.onPoolError);
    if (this.ownsPool) await pool.end().catch(() => undefined);
  }
}
