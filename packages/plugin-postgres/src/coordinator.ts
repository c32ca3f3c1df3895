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
import { Listener } from "./listener.js";
import { DEFAULT_SCHEMA, runMigrations, verifySchema } from "./migrate.js";
import { buildQueries, type Queries, type Statement } from "./queries.js";
import {
  isToken,
  isUuid,
  parseJson,
  toEvent,
  toJson,
  toRecord,
  toSummary,
  type EventRow,
  type RunJson,
} from "./records.js";
import { Notifier } from "./notifier.js";
import { WakeTimer } from "./wake-timer.js";

export interface PostgresCoordinatorOptions {
  /** `postgres://user:pass@host:5432/db`. Ignored when `pool` is given. */
  connectionString?: string;
  /** An existing pool: used as is and never ended by FlowMesh. */
  pool?: pg.Pool;
  /** Schema holding FlowMesh's tables. @default "flowmesh" */
  schema?: string;
  /** Apply missing migrations at start (under an advisory lock). With false, only check them. @default true */
  migrate?: boolean;
  /** `application_name` of FlowMesh's connections (pools it creates, and the LISTEN connection). @default "flowmesh" */
  applicationName?: string;
  /** Size of the pool FlowMesh creates. @default 10 */
  poolSize?: number;
  /** `statement_timeout` of the connections FlowMesh creates, in ms. @default 30000 */
  statementTimeoutMs?: number;
  /**
   * `synchronous_commit` for FlowMesh's own connections. `false` trades the
   * last few hundred ms of commits on a server crash for throughput.
   * @default true (the server's setting)
   */
  synchronousCommit?: boolean;
  /** Poll for work this often while the LISTEN connection is down, in ms. @default 1000 */
  pollIntervalMs?: number;
  /** Also look for work this often while listening, in case a notification was lost (a process died between commit and notify). @default 5000 */
  safetyPollMs?: number;
  /** How often to check whether runs awaited in this process ended, in case their notification was lost. @default 1000 */
  watchPollMs?: number;
  /** Delete finished runs this old (ms since they ended) during the recovery sweep. @default undefined (keep all) */
  retentionMs?: number;
}

/** Options of {@link PostgresCoordinator.pruneRuns}. */
export interface PruneOptions {
  /** Delete runs that finished at least this many ms ago. */
  olderThanMs: number;
  /** Rows per delete statement. @default 500 */
  batchSize?: number;
}

const LOST: OutcomeResult = Object.freeze({ ok: false, reason: "lease_lost" });
const OK: OutcomeResult = Object.freeze({ ok: true });
const WORK: CoordinatorSignal = Object.freeze({ type: "work" });
const NOTHING: ClaimedTask[] = Object.freeze([]) as unknown as ClaimedTask[];
const RETRYABLE = new Set(["40P01", "40001"]);
const CONNECTION_CODES = new Set(["57P01", "57P02", "57P03", "08000", "08003", "08006", "08001", "08004"]);

/** A dropped or refused connection (as opposed to an error the statement itself raised). */
function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  if (code !== undefined && CONNECTION_CODES.has(code)) return true;
  if (code !== undefined && /^[0-9A-Z]{5}$/.test(code)) return false;
  // Node socket errors (ECONNREFUSED, ECONNRESET, ...) and pg's "Connection terminated" errors.
  return true;
}
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

/** The claim's trailing row, when ready tasks were passed over: only their count. */
interface SkippedRow {
  run_id: null;
  skipped: number;
}

interface ClaimRow {
  run_id: string;
  name: string;
  idx: number;
  workflow: string;
  version: string;
  attempts: number;
  round_attempt: number;
  token: string;
  input: string | null;
  deps: Record<string, unknown> | null;
  lease_expires_at: number;
  ready_at: number;
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
  private readonly listeners = new Set<(signal: CoordinatorSignal) => void>();
  private listener: Listener | undefined;
  private readonly wake: WakeTimer;
  private readonly completes: Batcher<CompleteItem, OutcomeResult>;
  private readonly claims: Batcher<ClaimItem, ClaimedTask[]>;
  private readonly creates: Batcher<CreateRunRequest, CreateResultJson>;
  private readonly results: Batcher<string, RunResult | undefined>;
  private readonly notifier: Notifier;
  private lastError: string | undefined;
  /** Claims in a row that got nothing but tasks passed over on locked runs (see sendClaims). */
  private skippedInARow = 0;
  /** Runs someone here waits for (read while unfinished): polled, in case their run-finished notification is lost. */
  private readonly watched = new Set<string>();
  private watchTimer: NodeJS.Timeout | undefined;
  private lastPruneAt = 0;
  private readonly onPoolError = (error: Error): void => {
    // An idle connection died (terminated, network): the pool drops it; the next query reconnects.
    this.lastError = error.message;
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
    this.wake = new WakeTimer(() => this.signal(WORK));
    // Group commit: one completion transaction in flight at a time; whatever finishes meanwhile is
    // committed together in the next one (fewer, larger commits; an idle process still sends at once).
    this.completes = new Batcher({ send: (items) => this.sendCompletes(items), maxInFlight: 1 });
    this.claims = new Batcher({ send: (items) => this.sendClaims(items), splitOnError: false });
    this.creates = new Batcher({ send: (items) => this.sendCreates(items) });
    this.results = new Batcher({ send: (ids) => this.sendResults(ids), maxBatch: 1000, splitOnError: false });
    this.notifier = new Notifier(() => this.poolRef, channelOf(this.schema), this.q.notify.name);
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
      this.poolRef = new pg.Pool({ ...this.connectionConfig(), max: o.poolSize ?? 10 });
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
    if (this.listeners.size > 0) this.startListener();
  }

  /** Settings of the connections FlowMesh opens itself. */
  private connectionConfig(): pg.ClientConfig {
    const o = this.options;
    const base: pg.ClientConfig =
      o.pool !== undefined
        ? { ...(o.pool.options as pg.ClientConfig) }
        : { connectionString: o.connectionString, statement_timeout: o.statementTimeoutMs ?? 30_000 };
    if (o.pool === undefined || o.applicationName !== undefined) {
      base.application_name = o.applicationName ?? "flowmesh";
    }
    if (o.synchronousCommit === false)
      base.options = `${base.options ?? ""} -c synchronous_commit=off`.trim();
    return base;
  }

  private async ensureStarted(): Promise<pg.Pool> {
    if (this.closed) throw new FlowMeshError("FM_ERR_CLOSED", "the postgres backend is closed");
    if (this.poolRef === undefined || this.starting === undefined) await this.start();
    else await this.starting;
    return this.poolRef!;
  }

  /**
   * Runs a named statement, retrying a deadlock or serialization failure.
   * `safe` statements (reads, and claims, whose leases simply expire if their
   * answer is lost) are also retried after a dropped connection.
   */
  private async run<R extends pg.QueryResultRow>(
    statement: Statement,
    values: unknown[],
    safe = false,
  ): Promise<R[]> {
    const pool = this.poolRef ?? (await this.ensureStarted());
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await pool.query<R>({ name: statement.name, text: statement.text, values });
        this.lastError = undefined;
        return result.rows;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code !== undefined && RETRYABLE.has(code) && attempt < 5) continue;
        const connection = isConnectionError(error);
        if (connection) this.lastError = (error as Error).message;
        if (connection && safe && attempt < 3 && !this.closed) {
          await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
          continue;
        }
        throw error;
      }
    }
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
    const rows = await this.run<{ r: CreateResultJson }>(statement, [
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
      this.wakeWorkers();
    }
    return rows.map((row) => row.r);
  }

  /** Local subscribers now, other processes through NOTIFY. */
  private wakeWorkers(): void {
    this.signal(WORK);
    this.notifier.work_();
  }

  claim(request: ClaimRequest): Promise<ClaimedTask[]> {
    if (this.closed || request.max < 1) return Promise.resolve(NOTHING);
    return this.claims.submit({ request });
  }

  private async sendClaims(items: ClaimItem[]): Promise<ClaimedTask[][]> {
    const first = items[0]!.request;
    const max = items.reduce((sum, item) => sum + item.request.max, 0);
    const leaseMs = Math.max(...items.map((item) => item.request.leaseMs));
    const rows = await this.run<ClaimRow | SkippedRow>(this.q.claim, [first.workerId, max, leaseMs], true);
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
      this.wake.in(this.skippedInARow <= 1 ? 0 : Math.min(250, 5 * 2 ** (this.skippedInARow - 1)));
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
    const rows = await this.run<{ i: number }>(
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
      if (result.ok && result.runStatus !== undefined) this.announce(lease.runId, result.runStatus);
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
    const rows = await this.run<Row>(this.q.complete, values);
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
    if (readied) this.wakeWorkers();
    return results;
  }

  async fail(lease: LeaseRef, request: FailRequest): Promise<OutcomeResult> {
    if (!isUuid(lease.runId) || !isToken(lease.token)) return LOST;
    const rows = await this.run<{ out_ok: boolean; out_status: TerminalRunStatus | null }>(this.q.fail, [
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
      this.wake.in(request.retryDelayMs);
      this.notifier.push(`r:${Math.round(request.retryDelayMs)}`);
    }
    if (row.out_status === null) return OK;
    this.notifier.push(`f:${lease.runId}:${row.out_status}`);
    this.announce(lease.runId, row.out_status);
    return finished(row.out_status);
  }

  async finishRun(runId: string, request: FinishRunRequest): Promise<RunRecord | undefined> {
    if (!isUuid(runId)) return undefined;
    const rows = await this.run<{ r: RunJson | null }>(this.q.finishRun, [
      runId,
      request.status,
      request.reason ?? null,
    ]);
    const run = rows[0]?.r;
    if (run === null || run === undefined) return undefined;
    this.ended(runId, request.status);
    return toRecord(run);
  }

  async retryRun(runId: string, request: RetryRunRequest): Promise<RunRecord> {
    if (!isUuid(runId)) throw unknownRun(runId);
    const rows = await this.run<{
      out_error: string | null;
      out_status: string | null;
      out_task: string | null;
      out_dep: string | null;
      out_run: RunJson | null;
    }>(this.q.retryRun, [runId, [...request.reset]]);
    const row = rows[0]!;
    switch (row.out_error) {
      case null:
        this.wakeWorkers();
        return toRecord(row.out_run!);
      case "unknown":
        throw unknownRun(runId);
      case "not_finished":
        throw new FlowMeshError(
          "FM_ERR_INVALID_STATE",
          `retry: run "${runId}" is ${row.out_status}; only a finished run can be retried`,
          { details: { runId, status: row.out_status } },
        );
      case "nothing":
        throw new FlowMeshError("FM_ERR_INVALID_STATE", `retry: run "${runId}" has no task to retry`, {
          details: { runId },
        });
      default:
        throw new FlowMeshError(
          "FM_ERR_INVALID_STATE",
          `retry: task "${row.out_task}" of run "${runId}" depends on "${row.out_dep}", which did not succeed and is not being retried`,
          { details: { runId, task: row.out_task, dependency: row.out_dep } },
        );
    }
  }

  async recover(): Promise<RecoverResult> {
    const rows = await this.run<{ out_leases: number; out_timed_out: string[] }>(this.q.recover, [], true);
    const row = rows[0]!;
    if (row.out_leases > 0) this.wakeWorkers();
    for (const runId of row.out_timed_out) this.ended(runId, "timed_out");
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
      const rows = await this.run<{ n: number }>(this.q.prune, [options.olderThanMs, batch]);
      const n = rows[0]?.n ?? 0;
      total += n;
      if (n < batch) return total;
    }
  }

  // ------------------------------------------------------------ reads

  async getRun(runId: string): Promise<RunRecord | undefined> {
    if (!isUuid(runId)) return undefined;
    const rows = await this.run<{ r: RunJson }>(this.q.getRun, [runId], true);
    return rows[0] === undefined ? undefined : toRecord(rows[0].r);
  }

  /** Batched: concurrent callers (waiters of many runs) share one query. */
  async getResult(runId: string): Promise<RunResult | undefined> {
    if (!isUuid(runId)) return undefined;
    const result = await this.results.submit(runId);
    if (result !== undefined && (result.status === "pending" || result.status === "running"))
      this.watch(runId);
    return result;
  }

  private async sendResults(ids: string[]): Promise<(RunResult | undefined)[]> {
    const rows = await this.run<{
      id: string;
      status: RunResult["status"];
      started_at: number | null;
      ended_at: number | null;
      error: RunResult["error"] | null;
      outputs: [string, string | null][] | null;
    }>(this.q.getResults, [[...new Set(ids)]], true);
    const byId = new Map<string, RunResult>();
    for (const row of rows) {
      const outputs: Record<string, unknown> = {};
      for (const [name, output] of row.outputs ?? []) outputs[name] = parseJson(output);
      byId.set(row.id, {
        status: row.status,
        outputs,
        startedAt: row.started_at ?? undefined,
        endedAt: row.ended_at ?? undefined,
        error: row.error ?? undefined,
      });
    }
    return ids.map((id) => byId.get(id.toLowerCase()));
  }

  async listRuns(filter: RunFilter): Promise<RunPage> {
    const query = listRunsQuery(this.q.schemaSql, this.tag, filter);
    const rows = await this.run<{ r: RunJson; k: string }>(query, query.values, true);
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
    const rows = await this.run<EventRow>(this.q.readEvents, [runId, after, limit], true);
    return rows.map((row) => toEvent(runId, row));
  }

  async queueDepth(): Promise<number> {
    const rows = await this.run<{ n: number }>(this.q.queueDepth, [], true);
    return rows[0]?.n ?? 0;
  }

  async countActiveRuns(): Promise<number> {
    const rows = await this.run<{ n: number }>(this.q.activeRuns, [], true);
    return rows[0]?.n ?? 0;
  }

  // ------------------------------------------------------------ signals and health

  subscribe(listener: (signal: CoordinatorSignal) => void): () => void {
    this.listeners.add(listener);
    if (this.poolRef !== undefined && !this.closed) this.startListener();
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** False while the database is unreachable (the last call failed to connect, or LISTEN is down). */
  health(): CoordinatorHealth {
    if (this.lastError !== undefined) return { healthy: false, detail: `postgres: ${this.lastError}` };
    if (this.listener !== undefined && !this.listener.listening) {
      return { healthy: false, detail: "postgres: LISTEN connection reconnecting (polling meanwhile)" };
    }
    return { healthy: true };
  }

  /** The LISTEN connection's server process id, while it is up (for tests and diagnostics). */
  get listenerPid(): number | undefined {
    return this.listener?.listening === true ? this.listener.backendPid : undefined;
  }

  private startListener(): void {
    if (this.listener !== undefined) return;
    this.listener = new Listener({
      config: this.connectionConfig(),
      channel: channelOf(this.schema),
      pollIntervalMs: this.options.pollIntervalMs ?? 1_000,
      safetyPollMs: this.options.safetyPollMs ?? 5_000,
      signal: (signal) => this.signal(signal),
      wakeIn: (ms) => this.wake.in(ms),
      endedSince: async (since) => {
        const rows = await this.run<{ id: string; status: TerminalRunStatus; ended_at: number }>(
          this.q.endedSince,
          [since],
        );
        return rows.map((row) => ({ id: row.id, status: row.status, endedAt: row.ended_at }));
      },
      connected: () => {
        // The database answers again: healthy now, not only after the next statement succeeds.
        this.lastError = undefined;
        this.signal(WORK);
        void this.armNextRetry();
      },
      onError: (error) => {
        this.lastError ??= `LISTEN connection: ${(error as Error)?.message ?? String(error)}`;
      },
    });
    this.listener.start();
  }

  /** After (re)connecting: wake up for the earliest retry, which a lost notification may have announced. */
  private async armNextRetry(): Promise<void> {
    try {
      const rows = await this.run<{ delay: number | null }>(this.q.nextRetry, [], true);
      const delay = rows[0]?.delay;
      if (delay !== null && delay !== undefined) this.wake.in(Math.max(0, delay));
    } catch {
      // The next reconnect or poll tries again.
    }
  }

  private signal(signal: CoordinatorSignal): void {
    if (signal.type === "run-finished" && this.watched.size > 0) this.watched.delete(signal.runId);
    for (const listener of this.listeners) listener(signal);
  }

  /** Waiters read a run's result first, then wait for its run-finished signal: make sure one comes. */
  private watch(runId: string): void {
    if (this.closed || this.watched.size >= 100_000) return;
    this.watched.add(runId);
    if (this.watchTimer === undefined) {
      this.watchTimer = setInterval(() => void this.pollWatched(), this.options.watchPollMs ?? 1_000);
      this.watchTimer.unref();
    }
  }

  private async pollWatched(): Promise<void> {
    if (this.watched.size === 0) {
      clearInterval(this.watchTimer);
      this.watchTimer = undefined;
      return;
    }
    try {
      const rows = await this.run<{ id: string; status: TerminalRunStatus }>(
        this.q.finishedAmong,
        [[...this.watched].slice(0, 10_000)],
        true,
      );
      for (const row of rows) this.announce(row.id, row.status);
    } catch {
      // The database is unreachable: the next poll tries again.
    }
  }

  /** A run was cancelled or timed out here: tell running attempts everywhere to stop. */
  private ended(runId: string, status: TerminalRunStatus): void {
    this.notifier.push(`c:${runId}`);
    this.notifier.push(`f:${runId}:${status}`);
    this.signal({ type: "run-cancelled", runId });
    this.announce(runId, status);
  }

  private announce(runId: string, status: TerminalRunStatus): void {
    this.signal({ type: "run-finished", runId, status });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake.clear();
    if (this.watchTimer !== undefined) clearInterval(this.watchTimer);
    this.watchTimer = undefined;
    this.watched.clear();
    await this.listener?.stop();
    await Promise.all([
      this.claims.drained(),
      this.completes.drained(),
      this.creates.drained(),
      this.results.drained(),
    ]);
    await this.notifier.flush();
    this.listeners.clear();
    const pool = this.poolRef;
    if (pool === undefined) return;
    pool.off("error", this.onPoolError);
    if (this.ownsPool) await pool.end().catch(() => undefined);
  }
}

/** What create_runs returns per run: created, the run, and the roots an eager start leased (as claim rows). */
type CreateResultJson = [created: boolean, run: RunJson, claimed?: ClaimRow[]];

function toClaimed(row: ClaimRow): ClaimedTask {
  return {
    runId: row.run_id,
    task: row.name,
    token: row.token,
    index: row.idx,
    workflow: row.workflow,
    version: row.version,
    attempt: row.attempts,
    roundAttempt: row.round_attempt,
    input: parseJson(row.input),
    deps: row.deps ?? {},
    leaseExpiresAt: row.lease_expires_at,
    readyAt: row.ready_at,
  };
}

const FINISHED: Record<TerminalRunStatus, OutcomeResult> = {
  succeeded: { ok: true, runStatus: "succeeded" },
  failed: { ok: true, runStatus: "failed" },
  cancelled: { ok: true, runStatus: "cancelled" },
  timed_out: { ok: true, runStatus: "timed_out" },
};

function finished(status: TerminalRunStatus): OutcomeResult {
  return FINISHED[status];
}

/** A completion that ended its run: the status, with the run's times (for the worker's log line). */
function ended(status: TerminalRunStatus, startedAt: number | null, endedAt: number | null): OutcomeResult {
  if (endedAt === null) return finished(status);
  return { ok: true, runStatus: status, runTimes: { startedAt: startedAt ?? undefined, endedAt } };
}

function unknownRun(runId: string): FlowMeshError {
  return new FlowMeshError("FM_ERR_UNKNOWN_RUN", `retry: no run with id "${runId}"`, { details: { runId } });
}
