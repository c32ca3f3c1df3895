/**
 * The Redis {@link Coordinator}: every state transition is one Lua script run
 * with EVALSHA (see `lua/`), so each is atomic and costs one round trip;
 * leases are fenced by a per-task claim counter and timed by Redis `TIME`;
 * signals travel over pub/sub on a dedicated connection.
 */
import {
  createLogger,
  FlowMeshError,
  type Logger,
  type RunEvent,
  type RunFilter,
  type RunPage,
} from "@flowmesh/core";
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
} from "@flowmesh/core/plugin";
import type { RunRecord, TerminalRunStatus } from "@flowmesh/core";
import { Redis, type Cluster } from "ioredis";
import { decodeResult, decodeRun, pairs, toJson } from "./codec.js";
import { Batcher } from "./batcher.js";
import { RoundBatcher } from "./round-batcher.js";
import { RunCreator } from "./run-creator.js";
import { backendError, closed, unreachable } from "./errors.js";
import { decodeEvents, eventCursor } from "./events.js";
import { KeyLayout } from "./keys.js";
import { listRuns } from "./list-runs.js";
import { redisOptionsSchema, type RedisBackendOptions, type ResolvedRedisOptions } from "./options.js";
import { SCRIPTS } from "./scripts.js";
import type { Script, ScriptArgs } from "./script.js";
import { claimedTasks, outcomeReplies } from "./flat-replies.js";
import { SignalHub } from "./signal-hub.js";
import { collectOptionIssues } from "./validate.js";

const OK: OutcomeResult = { ok: true };
const LOST: OutcomeResult = { ok: false, reason: "lease_lost" };
const NOTHING: ClaimedTask[] = [];
const TOKEN = /^(\d+):(\d+)$/;
/** What {@link RedisCoordinator.health} reports. */
export interface RedisHealth {
  healthy: boolean;
  /** The connection's state (`ready`, `reconnecting`, …) when unhealthy. */
  detail?: string;
}

export class RedisCoordinator implements Coordinator {
  readonly kind = "redis";
  /** `createRun` leases roots when asked (eager start). */
  readonly eagerStart = true;
  /** The command connection; shared with other plugins through the `redis` capability. */
  readonly client: Redis | Cluster;
  /** Every key starts with this (ends in `:`). */
  readonly keyPrefix: string;
  private readonly keys: KeyLayout;
  private readonly options: ResolvedRedisOptions;
  private readonly ownsClient: boolean;
  private readonly logger: Logger;
  private readonly hub: SignalHub;
  private starting: Promise<void> | undefined;
  /** Creates the runs started in one tick together. */
  private readonly creator = new RunCreator((args) =>
    this.run(SCRIPTS.createRun, [], [this.keyPrefix, this.hashPad, ...args]),
  );
  /** Results read in one tick (every waiter of a burst of finished runs), read by one script call. */
  private readonly results = new Batcher<0 | string[]>(
    (args) => this.run(SCRIPTS.result, [], [this.keyPrefix, ...args]) as Promise<(0 | string[])[]>,
  );
  /** Outcomes reported and the claim made in one tick, run by one round script call. */
  private readonly rounds = new RoundBatcher(async (max, leaseMs, outcomes) => {
    const reply = (await this.run(SCRIPTS.round, [], [this.keyPrefix, max, leaseMs, ...outcomes])) as [
      unknown[],
      unknown[],
      string,
      string,
    ];
    return {
      outcomes: reply[2] === "" ? outcomeReplies(reply[0]) : backendError("complete", new Error(reply[2])),
      claimed: reply[3] === "" ? claimedTasks(reply[1]) : backendError("claim", new Error(reply[3])),
    };
  });
  /**
   * A value longer than the server's `hash-max-listpack-value`: a run hash holding it is a
   * hashtable (O(1) field access) instead of a listpack (a linear scan per field). Sized at start;
   * sent once per create script call, every run created gets it (field `hx`).
   */
  private hashPad = "-".repeat(65);
  private closed = false;
  private wasDown = false;
  /** Connected once: from then on a dropped connection is an outage worth a warning. */
  private started = false;

  constructor(options: RedisBackendOptions = {}) {
    const parsed = redisOptionsSchema.safeParse(options);
    if (!parsed.success) {
      throw new FlowMeshError(
        "FM_ERR_INVALID_OPTIONS",
        `[flowmesh] [plugin-redis] ${collectOptionIssues(parsed.error.issues)}`,
        { details: { plugin: "redis" } },
      );
    }
    this.options = parsed.data;
    this.logger = this.options.logger ?? createLogger();
    this.keys = new KeyLayout(this.options.keyPrefix);
    this.keyPrefix = this.keys.prefix;
    this.queueKeys.push(this.keys.ready);
    if (this.options.client !== undefined) {
      this.client = this.options.client;
      this.ownsClient = false;
    } else {
      this.client = new Redis(this.options.url ?? "redis://127.0.0.1:6379", {
        lazyConnect: true,
        // No auto-pipelining: the backend already sends one script call per kind of work and tick, and
        // ioredis's auto-pipeline would hold each of those to a later turn and build a pipeline object
        // for it (measured without it: a fifth more single-task runs per second, a lower p99 at low load).
        enableAutoPipelining: false,
        // An outage fails in-flight commands soon, so the worker reports unhealthy instead of hanging.
        maxRetriesPerRequest: 2,
        ...options.redisOptions,
      });
      this.ownsClient = true;
      this.client.on("error", (error: unknown) =>
        this.logger.debug({ err: error }, "redis connection error"),
      );
    }
    this.client.on("close", () => {
      // Only a connection that was up can be lost; a failing first connect is start()'s to report.
      if (!this.closed && !this.wasDown && this.starting !== undefined && this.started) {
        this.wasDown = true;
        this.logger.warn("redis backend: connection lost; claiming stops until it is back");
      }
    });
    this.client.on("ready", () => {
      if (!this.wasDown) return;
      this.wasDown = false;
      this.logger.warn("redis backend: connection restored; claiming resumes");
      this.hub.emitWork();
    });
    this.hub = new SignalHub({
      channel: this.keys.signals,
      connect: () => this.client.duplicate(),
      nextDue: () => this.nextDue(),
      idleWakeMs: this.options.idleWakeMs,
      logger: this.logger,
    });
  }

  /** Connects (waiting up to `connectTimeoutMs`), loads the scripts, subscribes, checks the eviction policy. */
  start(): Promise<void> {
    this.starting ??= this.connect();
    return this.starting;
  }

  private async connect(): Promise<void> {
    if (this.closed) throw closed();
    if (this.client.status === "wait") this.client.connect().catch(() => undefined);
    await this.waitReady();
    this.started = true;
    const pipeline = this.client.pipeline();
    for (const script of Object.values(SCRIPTS)) pipeline.script("LOAD", script.lua);
    await pipeline.exec();
    await this.hub.start();
    if (this.options.checkMaxmemoryPolicy) await this.checkEviction();
    await this.sizeHashPad();
  }

  private async waitReady(): Promise<void> {
    const deadline = Date.now() + this.options.connectTimeoutMs;
    while (this.client.status !== "ready") {
      if (this.closed) throw closed();
      if (Date.now() >= deadline) {
        throw new FlowMeshError(
          "FM_ERR_BACKEND",
          `redis backend: could not connect within ${this.options.connectTimeoutMs} ms (connection ${this.client.status})`,
          { details: { status: this.client.status } },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Reads `hash-max-listpack-value` (when CONFIG is allowed) to size {@link hashPad}. */
  private async sizeHashPad(): Promise<void> {
    try {
      const reply = (await this.client.config("GET", "hash-max-listpack-value")) as string[];
      const limit = Number(reply[1]);
      if (Number.isInteger(limit) && limit >= 0 && limit < 1_000_000) this.hashPad = "-".repeat(limit + 1);
    } catch {
      // CONFIG disabled: keep the default (Redis's default limit is 64).
    }
  }

  private async checkEviction(): Promise<void> {
    let policy: string | undefined;
    try {
      const reply = (await this.client.config("GET", "maxmemory-policy")) as string[];
      policy = reply[1];
    } catch (error) {
      this.logger.warn(
        { err: error },
        "redis backend: could not read maxmemory-policy (CONFIG is disabled?); make sure it is noeviction",
      );
      return;
    }
    if (policy !== "noeviction") {
      this.logger.warn(
        { maxmemoryPolicy: policy },
        `REDIS MISCONFIGURED: maxmemory-policy is "${policy}", not "noeviction": under memory pressure Redis will evict FlowMesh keys and silently lose runs, queued tasks and leases. Set "maxmemory-policy noeviction".`,
      );
    }
  }

  /** Connection health, without a round trip: unhealthy while Redis is unreachable. */
  health(): RedisHealth {
    if (this.closed) return { healthy: false, detail: "closed" };
    const status = this.client.status;
    if (status !== "ready") return { healthy: false, detail: `connection ${status}` };
    if (!this.hub.connected) return { healthy: false, detail: "subscriber connection down" };
    return { healthy: true };
  }

  // ---------------------------------------------------------------- runs

  async createRun(request: CreateRunRequest): Promise<CreateRunResult> {
    this.assertUsable();
    return this.creator.create(request);
  }

  async claim(request: ClaimRequest): Promise<ClaimedTask[]> {
    this.assertUsable();
    const claimed = await this.rounds.claim(request.max, request.leaseMs);
    return claimed.length === 0 ? NOTHING : claimed;
  }

  async heartbeat(leases: readonly LeaseRef[], leaseMs: number): Promise<LeaseRef[]> {
    if (leases.length === 0) return [];
    const args: ScriptArgs = [this.keyPrefix, leaseMs];
    for (const lease of leases) args.push(lease.runId, lease.task, lease.token);
    const lost = (await this.run(SCRIPTS.heartbeat, [], args)) as number[];
    return lost.map((i) => leases[i]!);
  }

  async complete(lease: LeaseRef, request: CompleteRequest): Promise<OutcomeResult> {
    const token = TOKEN.exec(lease.token);
    if (token === null) return LOST;
    const output = toJson(request.output, `the output of task "${lease.task}"`);
    this.assertUsable();
    const result = await this.rounds.complete([
      lease.runId,
      token[1]!,
      lease.task,
      token[2]!,
      output,
      request.durationMs,
      request.skipped === true ? "1" : "0",
    ]);
    if (result === 0) return LOST;
    if (result === 1) return OK;
    const status = result[0] as TerminalRunStatus;
    this.finished(lease.runId, status);
    if (result.length === 3) {
      const startedAt = result[1] === "" ? undefined : Number(result[1]);
      return { ok: true, runStatus: status, runTimes: { startedAt, endedAt: Number(result[2]) } };
    }
    // Someone waits for the run: its result came along.
    return { ok: true, runStatus: status, result: decodeResult(result) };
  }

  async fail(lease: LeaseRef, request: FailRequest): Promise<OutcomeResult> {
    const token = TOKEN.exec(lease.token);
    if (token === null) return LOST;
    const error = JSON.stringify(request.error);
    const args: ScriptArgs = [
      this.keyPrefix,
      lease.runId,
      token[1]!,
      lease.task,
      token[2]!,
      error,
      request.durationMs,
      request.retryDelayMs === undefined ? "" : Math.max(0, Math.ceil(request.retryDelayMs)),
      request.refundAttempt === true ? "1" : "0",
      JSON.stringify({ ...request.error, task: lease.task }),
    ];
    if (request.retryDelayMs === undefined) for (const name of request.downstream ?? []) args.push(name);
    const reply = (await this.run(SCRIPTS.fail, this.runKeys(lease.runId), args)) as [
      number,
      TerminalRunStatus?,
    ];
    if (reply[0] === 1 && reply[1] !== undefined) this.finished(lease.runId, reply[1]);
    return outcome(reply);
  }

  async finishRun(runId: string, request: FinishRunRequest): Promise<RunRecord | undefined> {
    const timedOut = request.status === "timed_out";
    const error = {
      name: "FlowMeshError",
      code: timedOut ? "FM_ERR_WORKFLOW_TIMEOUT" : "FM_ERR_CANCELLED",
      message: request.reason ?? (timedOut ? "workflow timed out" : "run cancelled"),
    };
    const reply = (await this.run(SCRIPTS.finishRun, this.runKeys(runId), [
      this.keyPrefix,
      runId,
      request.status,
      JSON.stringify(error),
    ])) as string[] | null;
    if (reply === null) return undefined;
    this.finished(runId, request.status);
    return decodeRun(runId, pairs(reply));
  }

  async retryRun(runId: string, request: RetryRunRequest): Promise<RunRecord> {
    const reply = (await this.run(SCRIPTS.retryRun, this.runKeys(runId), [
      this.keyPrefix,
      runId,
      ...request.reset,
    ])) as string[];
    switch (reply[0]) {
      case "unknown":
        throw new FlowMeshError("FM_ERR_UNKNOWN_RUN", `retry: no run with id "${runId}"`, {
          details: { runId },
        });
      case "state":
        throw new FlowMeshError(
          "FM_ERR_INVALID_STATE",
          `retry: run "${runId}" is ${reply[1]}; only a finished run can be retried`,
          { details: { runId, status: reply[1] } },
        );
      case "empty":
        throw new FlowMeshError("FM_ERR_INVALID_STATE", `retry: run "${runId}" has no task to retry`, {
          details: { runId },
        });
      case "blocked":
        throw new FlowMeshError(
          "FM_ERR_INVALID_STATE",
          `retry: task "${reply[1]}" of run "${runId}" depends on "${reply[2]}", which did not succeed and is not being retried`,
          { details: { runId, task: reply[1], dependency: reply[2] } },
        );
    }
    const run = decodeRun(runId, pairs(reply));
    if (run === undefined) throw new FlowMeshError("FM_ERR_UNKNOWN_RUN", `retry: no run with id "${runId}"`);
    return run;
  }

  async recover(): Promise<RecoverResult> {
    const [leases, due] = (await this.run(SCRIPTS.recover, [], [this.keyPrefix])) as [number, string[]];
    const timedOut: string[] = [];
    for (const runId of due) {
      if ((await this.finishRun(runId, { status: "timed_out" })) !== undefined) timedOut.push(runId);
    }
    return { leases, timedOut };
  }

  // ---------------------------------------------------------------- reads

  async getRun(runId: string): Promise<RunRecord | undefined> {
    this.assertUsable();
    return decodeRun(runId, await this.client.hgetall(this.keys.run(runId)));
  }

  async getResult(runId: string): Promise<RunResult | undefined> {
    this.assertUsable();
    const reply = await this.results.add([runId]);
    return reply === 0 ? undefined : decodeResult(reply);
  }

  async listRuns(filter: RunFilter): Promise<RunPage> {
    this.assertUsable();
    return listRuns(this.client, this.keys, filter);
  }

  async readEvents(runId: string, options: ReadEventsOptions = {}): Promise<RunEvent[]> {
    const cursor = eventCursor(runId, options.after);
    this.assertUsable();
    const limit = options.limit ?? 1000;
    // An entry holds up to two events, and the first may be one already delivered: one more entry
    // than asked covers both; the reply is cut to `limit` events.
    const entries = await this.client.xrange(this.keys.events(runId), cursor.start, "+", "COUNT", limit + 1);
    return decodeEvents(runId, entries, cursor.skip).slice(0, limit);
  }

  subscribe(listener: (signal: CoordinatorSignal) => void): () => void {
    return this.hub.subscribe(listener);
  }

  async queueDepth(): Promise<number> {
    this.assertUsable();
    try {
      const [ready, delayed] = await Promise.all([
        this.client.zcard(this.keys.ready),
        this.client.zcard(this.keys.delayed),
      ]);
      return ready + delayed;
    } catch (error) {
      throw backendError("queueDepth", error);
    }
  }

  /** Runs not yet finished (pending or running), from the status indexes. */
  async countActiveRuns(): Promise<number> {
    this.assertUsable();
    return this.client.zcard(this.keys.statusIndex("running"));
  }

  /** Closes the subscriber, and the command connection if this backend made it (never a client passed in). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.starting?.catch(() => undefined);
    await this.hub.close();
    if (this.ownsClient) await closeConnection(this.client);
  }

  // ---------------------------------------------------------------- internals

  private readonly queueKeys: string[] = [];

  private runKeys(runId: string): string[] {
    return [this.keys.run(runId), this.keys.events(runId)];
  }

  /**
   * A run this process ended: its subscribers hear it here. Other processes hear it over pub/sub
   * only when one of them waits for the run (the scripts publish it then), which spares every
   * engine a message per run nobody awaits.
   */
  private finished(runId: string, status: TerminalRunStatus): void {
    this.hub.notify({ type: "run-finished", runId, status });
  }

  /** Fails fast while Redis is unreachable, so the worker stops claiming and reports unhealthy. */
  private assertUsable(): void {
    if (this.closed) throw closed();
    const status = this.client.status;
    if (status !== "ready" && status !== "wait") throw unreachable(status);
  }

  private async run(script: Script, keys: string[], args: ScriptArgs): Promise<unknown> {
    this.assertUsable();
    if (this.client.status === "wait") await this.start();
    try {
      // A script always names a key: a Cluster client routes it to that key's node (with a tagged
      // prefix, the node that holds every key; see the README).
      return await script.run(this.client, keys.length > 0 ? keys : this.queueKeys, args);
    } catch (error) {
      throw backendError(script.name, error);
    }
  }

  /** Ms until the earliest waiting retry is due (Redis clock), if any. */
  private async nextDue(): Promise<number | undefined> {
    const [time, first] = await Promise.all([
      this.client.time(),
      this.client.zrange(this.keys.delayed, 0, 0, "WITHSCORES"),
    ]);
    if (first.length < 2) return undefined;
    const now = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000);
    return Number(first[1]) - now;
  }
}

/** QUIT when connected (replies in flight arrive), else drop the socket and stop reconnecting. */
async function closeConnection(client: Redis | Cluster): Promise<void> {
  if (client.status === "ready") await client.quit().catch(() => client.disconnect());
  else client.disconnect();
}

function outcome(reply: [number, TerminalRunStatus?]): OutcomeResult {
  if (reply[0] !== 1) return LOST;
  const status = reply[1];
  return status === undefined ? OK : { ok: true, runStatus: status };
}
