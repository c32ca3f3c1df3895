/**
 * Every engine hook, declared in one typed interface. Names say how they run:
 * `before*` in series and may change or stop what follows; `after*` in series,
 * seeing the outcome; `on*` notify. Surfaces that packages add (the HTTP
 * server) extend {@link HookRegistry} by module augmentation.
 */
import type { AsyncSeriesBailHook, AsyncSeriesHook, SyncWaterfallHook } from "tapable";
import type { RunRecord, TaskContext, TaskDefinition, TaskHandler } from "../types.js";

/** A run about to be created. Hooks may change `input` and `startedBy`, or throw to refuse the run. */
export interface WorkflowStartInfo {
  readonly runId: string;
  readonly workflow: string;
  readonly version: string;
  input: unknown;
  startedBy: string | undefined;
  readonly idempotencyKey: string | undefined;
}

/** What a `beforeTask` hook may return: skip the task with a result, or refuse it. */
export type BeforeTaskDecision = { skip: true; output: unknown } | { refuse: string };

/** The outcome `afterTask` sees. */
export interface TaskResult {
  status: "succeeded" | "skipped";
  output: unknown;
  durationMs: number;
  attempt: number;
}

/** The workflow a task belongs to, as `afterTask` sees it. */
export interface WorkflowInfo {
  readonly name: string;
  readonly version: string;
  readonly runId: string;
}

/** A final task failure, as `onFailure` sees it. */
export interface TaskFailure {
  error: unknown;
  durationMs: number;
  attempt: number;
  timedOut: boolean;
}

/** A failed attempt that will be retried, as `onRetry` sees it. */
export interface TaskRetry {
  error: unknown;
  attempt: number;
  delayMs: number;
}

/** A handler reference to resolve (`handler: "name"` or `"./file.js#export"`). */
export interface HandlerRequest {
  readonly workflow: string;
  readonly task: TaskDefinition;
  readonly ref: string;
  /** The file the definition came from, for relative module references. */
  readonly source: string | undefined;
}

/** Static information handed to `wrapHandler`, once per task of a registered workflow. */
export interface WrapInfo {
  readonly workflow: string;
  readonly version: string;
  readonly task: TaskDefinition;
}

/** The engine's hooks. */
export interface EngineHooks {
  /** Series, before a run is created: may change input/startedBy or throw to refuse. */
  beforeWorkflow: AsyncSeriesHook<[WorkflowStartInfo]>;
  /** Series, after a run reached a terminal status (any status). */
  afterWorkflow: AsyncSeriesHook<[RunRecord]>;
  /** Series bail, before each attempt: return `{ skip: true, output }` or `{ refuse }` to stop it. */
  beforeTask: AsyncSeriesBailHook<[TaskContext], BeforeTaskDecision | undefined>;
  /** Series, after an attempt succeeded (or was skipped) and its output was committed. */
  afterTask: AsyncSeriesHook<[TaskContext, TaskResult, WorkflowInfo]>;
  /** Notification: a task failed for good (no retries left, or non-retryable). */
  onFailure: AsyncSeriesHook<[TaskContext, TaskFailure]>;
  /** Notification: an attempt failed and the task will be retried after `delayMs`. */
  onRetry: AsyncSeriesHook<[TaskContext, TaskRetry]>;
  /** Notification: a run ended `failed` or `timed_out`. */
  onWorkflowFailure: AsyncSeriesHook<[RunRecord]>;
  /** Series bail, at registration: turn a handler reference into a function. First answer wins. */
  resolveHandler: AsyncSeriesBailHook<[HandlerRequest], TaskHandler | undefined>;
  /** Waterfall, once per task at registration: wrap the handler (tracing, policies). */
  wrapHandler: SyncWaterfallHook<[TaskHandler, WrapInfo]>;
}

/**
 * All hooks on `engine.hooks`. Packages adding a surface augment it:
 * `declare module "@flowmesh/core" { interface HookRegistry { authenticate: ... } }`
 * and create the instances with the plugin context's `extendHooks`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface HookRegistry extends EngineHooks {}
