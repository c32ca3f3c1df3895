/**
 * A coordinator for pipelining tests: it forwards to a {@link MemoryCoordinator}
 * but offers only the asynchronous API (no `sync` ops, so an engine on it takes
 * the async path, like Redis or Postgres), each call a few ms late like a round
 * trip. It counts calls, records claims (also those leased by creating a
 * run, when the engine asks for an eager start) and heartbeats, and can hold
 * completions (or claims' answers) back until the test opens the gate.
 */
import type { Coordinator, MemoryCoordinator } from "../../src/index.js";
import type {
  ClaimedTask,
  CompleteRequest,
  CreateRunResult,
  FailRequest,
  LeaseRef,
  OutcomeResult,
} from "../../src/plugin.js";
import { sleep } from "./engine.js";

export class SlowCoordinator implements Coordinator {
  readonly kind = "slow-memory";
  /** Like its target: the memory backend leases roots in createRun (eager start). */
  eagerStart = true;
  /** Called with each created run's result before it is returned (a test can act while the creation is "in flight"). */
  afterCreate: ((result: CreateRunResult) => Promise<void> | void) | undefined;
  /** Strip `claim` from createRun (a backend that declares eager start but leases nothing). */
  ignoreClaims = false;
  /** createRun's own delay, when it should differ from the other calls'. */
  createDelayMs: number | undefined;
  /** Calls by method name. */
  readonly calls = new Map<string, number>();
  /** Every task every claim returned, in order. */
  readonly claimed: ClaimedTask[] = [];
  /** The leases of every heartbeat call. */
  readonly heartbeats: LeaseRef[][] = [];
  /** Every fail request with its lease. */
  readonly fails: { lease: LeaseRef; request: FailRequest }[] = [];
  /** `complete` calls issued and not resolved yet. */
  completesOutstanding = 0;
  /** `claim` calls issued and not resolved yet, and the most there ever were. */
  claimsOutstanding = 0;
  maxClaimsOutstanding = 0;
  /** Tasks claimed and not reported yet (complete or fail called), and the most there ever were. */
  held = 0;
  maxHeld = 0;
  /** Return an ended run's result with the outcome that ended it (as Redis does for an awaited run). */
  resultWithOutcome = false;
  /** Return an ended run's times with the outcome that ended it (as Redis does for a run nobody awaits). */
  timesWithOutcome = false;
  private claimGate: Promise<void> | undefined;
  private openClaimGate: (() => void) | undefined;
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;

  constructor(
    readonly target: MemoryCoordinator,
    private readonly delayMs = 2,
  ) {}

  /** Holds every completion (after it is issued) until {@link open}. */
  hold(): void {
    this.gate ??= new Promise<void>((resolve) => (this.openGate = resolve));
  }

  /** Claims that take tasks run at once but answer only after {@link openClaims}. */
  holdClaims(): void {
    this.claimGate ??= new Promise<void>((resolve) => (this.openClaimGate = resolve));
  }

  openClaims(): void {
    this.openClaimGate?.();
    this.claimGate = undefined;
    this.openClaimGate = undefined;
  }

  /** Lets held and later completions through. */
  open(): void {
    this.openGate?.();
    this.gate = undefined;
    this.openGate = undefined;
  }

  private async call<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.calls.set(name, (this.calls.get(name) ?? 0) + 1);
    await sleep(this.delayMs);
    return fn();
  }

  /** Calls of one method, or of every method. */
  count(name?: string): number {
    if (name !== undefined) return this.calls.get(name) ?? 0;
    let total = 0;
    for (const n of this.calls.values()) total += n;
    return total;
  }

  /** The `claim` of every createRun call (undefined: none asked), and the tasks created runs leased with it. */
  readonly createClaims: (number | undefined)[] = [];
  readonly eagerClaimed: ClaimedTask[] = [];
  createRun: Coordinator["createRun"] = async (request) => {
    this.createClaims.push(request.claim?.max);
    const sent = this.ignoreClaims ? { ...request, claim: undefined } : request;
    if (this.createDelayMs !== undefined) await sleep(this.createDelayMs);
    const result = await this.call("createRun", () => this.target.createRun(sent));
    await this.afterCreate?.(result);
    const leased = result.claimed ?? [];
    this.eagerClaimed.push(...leased);
    this.held += leased.length;
    this.maxHeld = Math.max(this.maxHeld, this.held);
    return result;
  };
  claim: Coordinator["claim"] = async (request) => {
    this.claimsOutstanding++;
    this.maxClaimsOutstanding = Math.max(this.maxClaimsOutstanding, this.claimsOutstanding);
    try {
      const tasks = await this.call("claim", () => this.target.claim(request));
      this.claimed.push(...tasks);
      if (this.claimGate !== undefined && tasks.length > 0) await this.claimGate;
      this.held += tasks.length;
      this.maxHeld = Math.max(this.maxHeld, this.held);
      return tasks;
    } finally {
      this.claimsOutstanding--;
    }
  };
  heartbeat: Coordinator["heartbeat"] = (leases, leaseMs) => {
    this.heartbeats.push(leases.map((l) => ({ runId: l.runId, task: l.task, token: l.token })));
    return this.call("heartbeat", () => this.target.heartbeat(leases, leaseMs));
  };
  complete = async (lease: LeaseRef, request: CompleteRequest): Promise<OutcomeResult> => {
    this.completesOutstanding++;
    this.held--;
    try {
      const result = await this.call("complete", () => this.target.complete(lease, request));
      if (this.gate !== undefined) await this.gate;
      if (!result.ok || result.runStatus === undefined) return result;
      if (this.resultWithOutcome) return { ...result, result: await this.target.getResult(lease.runId) };
      if (this.timesWithOutcome) {
        const run = await this.target.getRun(lease.runId);
        return { ...result, runTimes: { startedAt: run?.startedAt, endedAt: run?.endedAt ?? 0 } };
      }
      return result;
    } finally {
      this.completesOutstanding--;
    }
  };
  fail: Coordinator["fail"] = (lease, request) => {
    this.fails.push({ lease, request });
    this.held--;
    return this.call("fail", () => this.target.fail(lease, request));
  };
  finishRun: Coordinator["finishRun"] = (runId, request) =>
    this.call("finishRun", () => this.target.finishRun(runId, request));
  retryRun: Coordinator["retryRun"] = (runId, request) =>
    this.call("retryRun", () => this.target.retryRun(runId, request));
  recover: Coordinator["recover"] = () => this.call("recover", () => this.target.recover());
  getRun: Coordinator["getRun"] = (runId) => this.call("getRun", () => this.target.getRun(runId));
  getResult: NonNullable<Coordinator["getResult"]> = (runId) =>
    this.call("getResult", () => this.target.getResult(runId));
  listRuns: Coordinator["listRuns"] = (filter) => this.call("listRuns", () => this.target.listRuns(filter));
  readEvents: Coordinator["readEvents"] = (runId, options) =>
    this.call("readEvents", () => this.target.readEvents(runId, options));
  subscribe: Coordinator["subscribe"] = (listener) => this.target.subscribe(listener);
  queueDepth: Coordinator["queueDepth"] = () => this.call("queueDepth", () => this.target.queueDepth());
  /** Leaves `target` open for other engines sharing it. */
  close = async (): Promise<void> => undefined;
}
