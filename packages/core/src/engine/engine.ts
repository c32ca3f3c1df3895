/**
 * The engine: `createFlowMesh()` builds one. It sets plugins up, picks the
 * backend, registers workflows, starts runs and watches them finish; the
 * worker and executor do the running. Initialisation is lazy and happens once,
 * on the first call that needs it (or `ready()`).
 */
import { hostname } from "node:os";
import { LocalCoordinator } from "../backend/local-coordinator.js";
import { MemoryCoordinator } from "../backend/memory-coordinator.js";
import { resultOf } from "../backend/outputs.js";
import type {
  Coordinator,
  CoordinatorSignal,
  CreateRunRequest,
  CreateRunResult,
  OutcomeResult,
  ReadEventsOptions,
  RunResult,
  RunStore,
} from "../backend/types.js";
import { FlowMeshError } from "../errors.js";
import { createEmitter, type FlowMeshEmitter } from "../events.js";
import { createEngineHooks, isTapped } from "../hooks/create-hooks.js";
import type { HookRegistry } from "../hooks/types.js";
import { uuidv7 } from "../ids.js";
import { createLogger, isLevelEnabled, type Logger } from "../logger.js";
import { planWorkflow, type WorkflowPlan } from "../model/plan.js";
import { setupPlugins, type PluginHost } from "../plugins/setup-plugins.js";
import type {
  RunEvent,
  RunFilter,
  RunPage,
  RunRecord,
  TerminalRunStatus,
  WorkflowDefinition,
  WorkflowDefinitionInput,
} from "../types.js";
import { fingerprint } from "./fingerprint.js";
import { tasksToReset } from "./retry-plan.js";
import { RunWaiters, unknownRun } from "./run-waiters.js";
import { resolveOptions, type FlowMeshOptions, type ResolvedOptions } from "./options.js";
import { WorkflowRegistry, type RegisteredWorkflow } from "./registry.js";
import { resolveHandlers } from "./resolve-handlers.js";
import { RunHandle } from "./run-handle.js";
import type { EngineRuntime } from "./runtime.js";
import type { EngineStats } from "./stats.js";
import { Worker } from "./worker.js";

/** Options of {@link FlowMesh.start}. */
export interface StartOptions {
  /** The same key returns the same run; reusing it for another workflow or input is an error. */
  idempotencyKey?: string;
  /** Run this version instead of the latest registered. */
  version?: string;
  /** Who started the run (recorded on it). */
  startedBy?: string;
}

/** Options of {@link FlowMesh.retry}. */
export interface RetryOptions {
  /** Re-run this task and everything downstream of it, even if they succeeded. */
  fromTask?: string;
}

/** Options of {@link FlowMesh.register}. */
export interface RegisterOptions {
  /** The file the definition came from: relative handler references resolve against it. */
  source?: string;
}

/** Engine health, for readiness probes. */
export interface Health {
  backend: string;
  /** The worker's last backend call succeeded (true when this engine runs no worker). */
  healthy: boolean;
  running: number;
  /** Ready and retrying tasks; 0 when the backend could not be asked. */
  queueDepth: number;
  /** Why the engine is unhealthy, when the backend says. */
  detail?: string;
}

export class FlowMesh {
  /** Every hook; tap them directly or through a plugin. */
  readonly hooks: HookRegistry;
  /** Typed, observe-only events. */
  readonly events: FlowMeshEmitter;
  readonly logger: Logger;
  private readonly options: ResolvedOptions;
  private readonly registry = new WorkflowRegistry();
  private readonly pluginHost: PluginHost;
  private coordinatorRef: Coordinator | undefined;
  private worker: Worker | undefined;
  private initPromise: Promise<void> | undefined;
  /** Set once `ready()` completed: the hot paths skip awaiting it again. */
  private isReady = false;
  private readonly pendingRegistrations = new Set<Promise<unknown>>();
  private readonly waiters = new RunWaiters((runId) => this.readResult(runId));
  /** Runs this engine is cancelling or timing out right now. */
  private readonly endingHere = new Set<string>();
  private readonly deadlines = new Map<string, NodeJS.Timeout>();
  private unsubscribe: (() => void) | undefined;
  private state: "open" | "closing" | "closed" = "open";

  constructor(options: FlowMeshOptions = {}) {
    this.options = resolveOptions(options);
    this.logger = this.options.logger ?? createLogger();
    // Surfaces (the HTTP server) add their hooks to the registry later, through `extendHooks`; the
    // assertion is only needed where such an augmentation is in the program.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    this.hooks = createEngineHooks() as HookRegistry;
    this.events = createEmitter();
    this.pluginHost = {
      hooks: this.hooks,
      events: this.events,
      logger: this.logger,
      capabilities: new Map(),
      cleanups: [],
      stats: () => this.stats(),
    };
  }

  /**
   * Sets plugins up, connects the backend and starts this engine's worker
   * (once). `start()` calls it for you; a worker-only process, or one resuming
   * unfinished runs from a persistent store, calls it after registering its
   * workflows.
   */
  async ready(): Promise<void> {
    if (!this.isReady) {
      await this.initialized();
      this.worker?.start();
      this.isReady = true;
    }
  }

  /** Plugins set up and backend connected, without starting the worker. */
  private initialized(): Promise<void> {
    this.initPromise ??= this.init();
    return this.initPromise;
  }

  /**
   * Validates, plans and registers a workflow (any authoring style), resolving
   * handler references through `resolveHandler` and wrapping handlers through
   * `wrapHandler`. Unresolvable handlers are reported here, not when the run starts.
   */
  register(
    definition: WorkflowDefinitionInput | WorkflowDefinition,
    options: RegisterOptions = {},
  ): Promise<RegisteredWorkflow> {
    if (this.state !== "open") return Promise.reject(closedError());
    const registration = (async () => {
      const plan = planWorkflow(definition);
      await this.initialized();
      this.warnUnappliedPolicies(plan);
      const handlers = await resolveHandlers(plan, this.hooks, options.source);
      const registered: RegisteredWorkflow = { plan, handlers };
      this.registry.add(registered);
      return registered;
    })();
    this.pendingRegistrations.add(registration);
    const settle = (): void => void this.pendingRegistrations.delete(registration);
    registration.then(settle, settle);
    return registration;
  }

  /** Registered workflows (every version). */
  workflows(): RegisteredWorkflow[] {
    return this.registry.list();
  }

  /** A registered workflow: the given version, or the latest one; undefined when none matches. */
  workflow(name: string, version?: string): RegisteredWorkflow | undefined {
    return this.registry.get(name, version);
  }

  /** Starts a run of a registered workflow and returns its handle. */
  async start(workflow: string, input?: unknown, options: StartOptions = {}): Promise<RunHandle> {
    this.assertOpen();
    if (!this.isReady) await this.ready();
    if (this.pendingRegistrations.size > 0) await Promise.allSettled([...this.pendingRegistrations]);
    const { plan } = this.registry.resolve(workflow, options.version);
    const id = uuidv7();
    const key = options.idempotencyKey;
    // Fingerprint of what the caller asked for, before hooks change it: a reused key is compared on this.
    const requestHash = key === undefined ? undefined : fingerprint(plan.name, input);
    let runInput = input;
    let startedBy = options.startedBy;
    if (isTapped(this.hooks.beforeWorkflow)) {
      const info = {
        runId: id,
        workflow: plan.name,
        version: plan.version,
        input,
        startedBy,
        idempotencyKey: options.idempotencyKey,
      };
      await this.hooks.beforeWorkflow.promise(info);
      runInput = info.input;
      startedBy = info.startedBy;
    }
    // Someone listens for run:created: make sure they hear it before the run's first task starts.
    const request = { id, input: runInput, startedBy, idempotencyKey: key, requestHash };
    const worker = this.events.listenerCount("run:created") > 0 ? this.worker : undefined;
    if (worker === undefined) return this.createRun(plan, request);
    worker.hold();
    try {
      return await this.createRun(plan, request);
    } finally {
      worker.release();
    }
  }

  private async createRun(
    plan: WorkflowPlan,
    request: Pick<CreateRunRequest, "id" | "input" | "startedBy" | "idempotencyKey" | "requestHash">,
  ): Promise<RunHandle> {
    const key = request.idempotencyKey;
    const requestHash = request.requestHash;
    // An idle worker here takes the run's first tasks in the creation itself: no claim round trip.
    const eager =
      this.coordinator.eagerStart === true ? this.worker?.reserveEager(plan.rootCount) : undefined;
    let result: CreateRunResult;
    try {
      result = await this.coordinator.createRun({
        ...request,
        workflow: plan.name,
        version: plan.version,
        namespace: plan.namespace,
        graph: plan.graph,
        timeoutMs: plan.timeoutMs,
        claim: eager?.request,
      });
    } catch (error) {
      if (eager !== undefined) this.worker!.settleEager(eager, undefined);
      throw error;
    }
    const { run, created } = result;
    // (No run:created listener can miss the start: with one, the worker is held and reserves nothing.)
    // Whatever was leased to this worker starts here (a backend leases nothing for an existing run).
    if (eager !== undefined) this.worker!.settleEager(eager, result.claimed);
    if (!created) {
      if (run.workflow !== plan.name || (run.requestHash !== undefined && run.requestHash !== requestHash)) {
        throw new FlowMeshError(
          "FM_ERR_IDEMPOTENCY_CONFLICT",
          `idempotency key "${key}" was used for run ${run.id} of workflow "${run.workflow}" with a different ${run.workflow !== plan.name ? "workflow" : "input"}`,
          { details: { runId: run.id, idempotencyKey: key } },
        );
      }
    } else {
      if (run.deadlineAt !== undefined) this.armDeadline(run.id, run.deadlineAt);
      if (this.events.listenerCount("run:created") > 0) {
        this.events.emit("run:created", { runId: run.id, workflow: plan.name, version: plan.version });
      }
    }
    return new RunHandle(run.id, created, this);
  }

  /** Tasks naming policies with no plugin to apply them run unprotected: say so once per registration. */
  private warnUnappliedPolicies(plan: WorkflowPlan): void {
    if (this.pluginHost.capabilities.has("taskPolicies")) return;
    const tasks = plan.definition.tasks.filter((t) => t.policies.length > 0);
    if (tasks.length === 0) return;
    this.logger.warn(
      { workflow: plan.name, tasks: tasks.map((t) => ({ task: t.name, policies: t.policies })) },
      `workflow "${plan.name}" names task policies but no plugin applies them (install @flowmesh/plugin-resilience): they are ignored`,
    );
  }

  /** A handle for an existing run. */
  handle(runId: string): RunHandle {
    return new RunHandle(runId, false, this);
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    await this.initialized();
    return this.coordinator.getRun(runId);
  }

  async listRuns(filter: RunFilter = {}): Promise<RunPage> {
    await this.initialized();
    return this.coordinator.listRuns(filter);
  }

  /** The run's ordered event log. */
  async readEvents(runId: string, options?: ReadEventsOptions): Promise<RunEvent[]> {
    await this.initialized();
    return this.coordinator.readEvents(runId, options);
  }

  /** Resolves with the final record once the run is finished. */
  async waitForRun(runId: string): Promise<RunRecord> {
    await this.waitForResult(runId);
    const run = await this.coordinator.getRun(runId);
    if (run === undefined) throw unknownRun(runId);
    return run;
  }

  /** Resolves with the run's status and outputs once it is finished. */
  async waitForResult(runId: string): Promise<RunResult> {
    if (this.state !== "open") throw closedError();
    if (!this.isReady) await this.initialized();
    return this.waiters.wait(runId);
  }

  /** Cancels a run. A finished run is returned unchanged. */
  async cancel(runId: string, reason?: string): Promise<RunRecord> {
    await this.initialized();
    const ended = await this.endRun(runId, "cancelled", reason);
    if (ended !== undefined) return ended;
    const run = await this.coordinator.getRun(runId);
    if (run === undefined)
      throw new FlowMeshError("FM_ERR_UNKNOWN_RUN", `cancel: no run with id "${runId}"`, {
        details: { runId },
      });
    return run;
  }

  /**
   * Re-runs a finished run: its failed, cancelled and never-run tasks (or, with
   * `fromTask`, that task and everything downstream), keeping other outputs.
   */
  async retry(runId: string, options: RetryOptions = {}): Promise<RunHandle> {
    this.assertOpen();
    await this.ready();
    const run = await this.coordinator.getRun(runId);
    if (run === undefined)
      throw new FlowMeshError("FM_ERR_UNKNOWN_RUN", `retry: no run with id "${runId}"`, {
        details: { runId },
      });
    const reset = tasksToReset(run, options.fromTask);
    const reopened = await this.coordinator.retryRun(runId, { reset });
    if (reopened.deadlineAt !== undefined) this.armDeadline(runId, reopened.deadlineAt);
    return new RunHandle(runId, false, this);
  }

  /** Backend and worker health. Never throws for a failing backend: that is reported as unhealthy. */
  async health(): Promise<Health> {
    await this.initialized();
    const coordinator = this.coordinator;
    const backend = coordinator.health?.();
    const health: Health = {
      backend: coordinator.kind,
      healthy: (this.worker?.healthy ?? true) && backend?.healthy !== false,
      running: this.worker?.running ?? 0,
      queueDepth: 0,
    };
    if (backend?.healthy === false && backend.detail !== undefined) health.detail = backend.detail;
    try {
      health.queueDepth = await coordinator.queueDepth();
    } catch (error) {
      health.healthy = false;
      health.detail ??= error instanceof Error ? error.message : String(error);
    }
    return health;
  }

  /**
   * Load figures for metrics: the backend's queue depth and active runs
   * (shared by every process), and this engine's worker slots. Costs one or
   * two backend reads; nothing is counted on the hot path.
   */
  async stats(): Promise<EngineStats> {
    await this.initialized();
    const coordinator = this.coordinator;
    const [queueDepth, activeRuns] = await Promise.all([
      coordinator.queueDepth(),
      coordinator.countActiveRuns?.(),
    ]);
    const worker = this.worker;
    return {
      backend: coordinator.kind,
      queueDepth,
      activeRuns,
      worker:
        worker === undefined
          ? undefined
          : { concurrency: worker.concurrency, running: worker.running, healthy: worker.healthy },
    };
  }

  /** Stops claiming, drains running attempts (up to `drainTimeout`), runs plugin cleanups, closes the backend. */
  async close(): Promise<void> {
    if (this.state !== "open") return;
    this.state = "closing";
    if (this.initPromise !== undefined) {
      await this.initPromise.catch(() => undefined);
      await this.worker?.stop(this.options.drainTimeoutMs);
      for (const timer of this.deadlines.values()) clearTimeout(timer);
      this.deadlines.clear();
      this.unsubscribe?.();
      for (const { plugin, fn } of this.pluginHost.cleanups.reverse()) {
        try {
          await fn();
        } catch (error) {
          this.logger.error({ err: error, plugin }, `plugin "${plugin}" failed while closing`);
        }
      }
      await this.coordinatorRef?.close();
    }
    this.state = "closed";
    // Nothing will finish these runs in this engine any more.
    this.waiters.rejectAll(
      (runId) =>
        new FlowMeshError("FM_ERR_CLOSED", `the engine closed while waiting for run ${runId}`, {
          details: { runId },
        }),
    );
  }

  // ------------------------------------------------------------ internals

  private get coordinator(): Coordinator {
    if (this.coordinatorRef === undefined)
      throw new FlowMeshError("FM_ERR_INVALID_STATE", "the engine is not initialised yet");
    return this.coordinatorRef;
  }

  private async init(): Promise<void> {
    await setupPlugins(this.options.plugins, this.pluginHost);
    const provided = this.pluginHost.capabilities.get("backend");
    if (provided !== undefined && this.options.backend !== undefined) {
      throw new FlowMeshError(
        "FM_ERR_PLUGIN",
        `a backend was passed to createFlowMesh and plugin "${provided.provider}" provides one too: use only one`,
      );
    }
    const backend = (provided?.value as Coordinator | RunStore | undefined) ?? this.options.backend;
    const coordinator = toCoordinator(backend);
    this.coordinatorRef = coordinator;
    await coordinator.start?.();
    const runtime: EngineRuntime = {
      coordinator,
      registry: this.registry,
      hooks: this.hooks,
      events: this.events,
      logger: this.logger,
      runFinished: (runId, workflow, status, outcome) => this.runFinished(runId, workflow, status, outcome),
      hookError: (hook, error) => this.hookError(hook, error),
      outcomeReported: (runId) => {
        this.waiters.releaseHeld(runId);
      },
      registrationsSettled: () =>
        this.pendingRegistrations.size === 0
          ? undefined
          : Promise.allSettled([...this.pendingRegistrations]).then(() => undefined),
    };
    this.unsubscribe = coordinator.subscribe((signal) => this.onSignal(signal));
    if (this.options.worker) {
      const workerId = this.options.workerId ?? `${hostname()}-${process.pid}-${uuidv7().slice(-8)}`;
      this.worker = new Worker(runtime, {
        workerId,
        concurrency: this.options.concurrency,
        leaseMs: this.options.leaseMs,
        sweepIntervalMs: this.options.sweepIntervalMs,
        claimBatch: 64,
        prefetch: this.options.prefetch,
      });
    }
  }

  private onSignal(signal: CoordinatorSignal): void {
    switch (signal.type) {
      case "work":
        this.worker?.wake();
        return;
      case "run-cancelled":
        this.worker?.abortRun(
          signal.runId,
          new FlowMeshError("FM_ERR_CANCELLED", `run ${signal.runId} was cancelled or timed out`, {
            details: { runId: signal.runId },
          }),
        );
        return;
      case "run-finished": {
        const timer = this.deadlines.get(signal.runId);
        if (timer !== undefined) {
          clearTimeout(timer);
          this.deadlines.delete(signal.runId);
        }
        // This engine is still reporting the run's end (its hooks run next): waiters, including any
        // that arrive meanwhile, are released when that is done.
        if (this.endingHere.has(signal.runId) || this.worker?.isFinishing(signal.runId) === true) {
          this.waiters.hold(signal.runId);
        } else this.waiters.release(signal.runId, signal.result);
        return;
      }
    }
  }

  private armDeadline(runId: string, deadlineAt: number): void {
    const existing = this.deadlines.get(runId);
    if (existing !== undefined) clearTimeout(existing);
    const timer = setTimeout(
      () => {
        this.deadlines.delete(runId);
        this.endRun(runId, "timed_out", "workflow timed out").catch((error: unknown) =>
          this.logger.error({ err: error, workflow_id: runId }, "could not time out a run"),
        );
      },
      Math.max(0, deadlineAt - Date.now()),
    );
    timer.unref();
    this.deadlines.set(runId, timer);
  }

  /**
   * Ends a run as cancelled or timed out, then runs the workflow hooks; its
   * waiters are released after those, as for a run a task outcome ended.
   */
  private async endRun(
    runId: string,
    status: "cancelled" | "timed_out",
    reason: string | undefined,
  ): Promise<RunRecord | undefined> {
    this.endingHere.add(runId);
    try {
      const ended = await this.coordinator.finishRun(runId, {
        status,
        ...(reason === undefined ? {} : { reason }),
      });
      if (ended !== undefined) {
        if (this.events.listenerCount("run:ended") > 0)
          this.events.emit("run:ended", { runId, workflow: ended.workflow, status });
        await this.afterRun(ended);
      }
      return ended;
    } finally {
      this.endingHere.delete(runId);
      this.waiters.releaseHeld(runId);
    }
  }

  /** Called when this engine's outcome ended a run. */
  private async runFinished(
    runId: string,
    workflow: string,
    status: TerminalRunStatus,
    outcome?: OutcomeResult,
  ): Promise<void> {
    const known = outcome?.ok === true ? outcome.result : undefined;
    try {
      if (this.events.listenerCount("run:ended") > 0)
        this.events.emit("run:ended", { runId, workflow, status });
      const needsRecord =
        isTapped(this.hooks.afterWorkflow) ||
        isTapped(this.hooks.onWorkflowFailure) ||
        this.events.listenerCount("run:finished") > 0;
      if (needsRecord) {
        const run = await this.coordinator.getRun(runId);
        if (run !== undefined) return await this.afterRun(run);
      } else if (
        isLevelEnabled(this.logger, status === "succeeded" || status === "cancelled" ? "info" : "warn")
      ) {
        // A succeeded run's line needs only its times: no read when they came with the outcome.
        const times = status === "succeeded" && outcome?.ok === true ? outcome.runTimes : undefined;
        this.logRun(runId, workflow, status, known ?? times ?? (await this.readResult(runId)));
      }
    } finally {
      // Whatever happened above, the run is over here: never leave its waiters hanging.
      this.finishedHere(runId, known);
    }
  }

  /** Hooks are done for a run this engine ended: release its waiters (with its result, when known). */
  private finishedHere(runId: string, result?: RunResult): void {
    this.waiters.release(runId, result);
  }

  private async afterRun(run: RunRecord): Promise<void> {
    this.logRun(run.id, run.workflow, run.status as TerminalRunStatus, run);
    if (this.events.listenerCount("run:finished") > 0) this.events.emit("run:finished", { run });
    if (isTapped(this.hooks.afterWorkflow)) {
      await this.hooks.afterWorkflow
        .promise(run)
        .catch((error: unknown) => this.hookError("afterWorkflow", error));
    }
    if ((run.status === "failed" || run.status === "timed_out") && isTapped(this.hooks.onWorkflowFailure)) {
      await this.hooks.onWorkflowFailure
        .promise(run)
        .catch((error: unknown) => this.hookError("onWorkflowFailure", error));
    }
    this.finishedHere(run.id);
  }

  private logRun(
    runId: string,
    workflow: string,
    status: TerminalRunStatus,
    run?: { startedAt?: number | undefined; endedAt?: number | undefined; error?: unknown },
  ): void {
    const level = status === "succeeded" || status === "cancelled" ? "info" : "warn";
    const fields: Record<string, unknown> = { workflow_id: runId, workflow, status };
    if (run?.startedAt !== undefined && run.endedAt !== undefined)
      fields.duration_ms = run.endedAt - run.startedAt;
    if (run?.error !== undefined) fields.err = run.error;
    this.logger[level](fields, `run ${status}`);
  }

  private hookError(hook: string, error: unknown): void {
    this.logger.error({ err: error, hook }, error instanceof Error ? error.message : String(error));
    if (this.events.listenerCount("hook:error") > 0) this.events.emit("hook:error", { hook, error });
  }

  /** Status and outputs, from the backend's cheap read when it has one. */
  private readResult(runId: string): Promise<RunResult | undefined> {
    const coordinator = this.coordinator;
    if (coordinator.getResult !== undefined) return coordinator.getResult(runId);
    return coordinator.getRun(runId).then((run) => (run === undefined ? undefined : resultOf(run)));
  }

  private assertOpen(): void {
    if (this.state !== "open") throw closedError();
  }
}

/** Creates an engine. Nothing connects until the first call that needs the backend. */
export function createFlowMesh(options: FlowMeshOptions = {}): FlowMesh {
  return new FlowMesh(options);
}

function toCoordinator(backend: Coordinator | RunStore | undefined): Coordinator {
  if (backend === undefined) return new MemoryCoordinator();
  if ("claim" in backend && typeof backend.claim === "function") return backend;
  return new LocalCoordinator(backend as RunStore);
}

function closedError(): FlowMeshError {
  return new FlowMeshError("FM_ERR_CLOSED", "the engine is closed");
}
