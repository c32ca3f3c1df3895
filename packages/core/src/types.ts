/**
 * The FlowMesh model: workflow and task definitions as users write them, the
 * normalized forms core works with, and run records as backends store them.
 */
import type { Duration } from "./duration.js";
import type { SerializedError } from "./errors.js";
import type { Logger } from "./logger.js";

/** Anything JSON can carry. Task outputs and run input should be JSON-serializable for persistent backends. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

// ---------------------------------------------------------------- definitions (input)

/** Retry policy as written by users. Durations follow the one rule: a number is seconds. */
export interface RetryPolicyInput {
  /** Retries after the first attempt. @default 0 */
  maxRetries?: number;
  /** Delay before the first retry. @default 0.1 (100 ms) */
  baseDelay?: Duration;
  /** Growth factor per retry: delay = baseDelay * exponentialBase^(retry - 1). @default 2 */
  exponentialBase?: number;
  /** Upper bound on one delay. @default 60 (1 minute) */
  maxDelay?: Duration;
  /** Full jitter: each delay is drawn uniformly from [0, delay]. @default true */
  jitter?: boolean;
}

/** A task handler: an async function of the task context. */
export type TaskHandler<TOutput = unknown, TInput = unknown> = (
  ctx: TaskContext<TInput>,
) => Promise<TOutput> | TOutput;

/** A task as written by users (builder, functions, YAML/JSON all produce this). */
export interface TaskDefinitionInput {
  /** Unique within the workflow: letters, digits, `_`, `-`, `.`. */
  name: string;
  /** The function to run, or a reference resolved through the `resolveHandler` hook. Defaults to the task name as reference. */
  handler?: TaskHandler | string;
  /** Names of tasks whose success this task waits for; their outputs arrive as `ctx.deps`. */
  dependsOn?: string[];
  /** Per-attempt timeout. */
  timeout?: Duration;
  /** Retry policy, or just the number of retries. */
  retry?: RetryPolicyInput | number;
  /** Higher runs first among ready tasks. @default 0 */
  priority?: number;
  /** Named policies provided by plugins (e.g. a circuit breaker). */
  policies?: string[];
  description?: string;
}

/** A workflow as written by users. */
export interface WorkflowDefinitionInput {
  name: string;
  /** @default "1" */
  version?: string | number;
  description?: string;
  /**
   * The tenant the workflow and its runs belong to (multi-tenant APIs authorize by it).
   * Letters, digits, `_`, `-`, `.`. @default "default"
   */
  namespace?: string;
  tasks: TaskDefinitionInput[];
  /** Defaults applied to every task that does not set its own. */
  defaults?: { timeout?: Duration; retry?: RetryPolicyInput | number; priority?: number };
  /** Whole-run timeout: the run ends `timed_out` and running tasks are aborted. */
  timeout?: Duration;
}

// ---------------------------------------------------------------- definitions (normalized)

/** A retry policy with every knob resolved, delays in milliseconds. */
export interface RetryPolicy {
  maxRetries: number;
  baseDelayMs: number;
  exponentialBase: number;
  maxDelayMs: number;
  jitter: boolean;
}

/** A validated, normalized task. */
export interface TaskDefinition {
  name: string;
  handler: TaskHandler | string;
  dependsOn: string[];
  timeoutMs: number | undefined;
  retry: RetryPolicy;
  priority: number;
  policies: string[];
  description: string | undefined;
}

/** A validated, normalized workflow. */
export interface WorkflowDefinition {
  name: string;
  version: string;
  description: string | undefined;
  namespace: string;
  tasks: TaskDefinition[];
  timeoutMs: number | undefined;
}

// ---------------------------------------------------------------- runs

/** Status of a run. `pending` until a task starts. */
export type RunStatus = "pending" | "running" | "succeeded" | "failed" | "cancelled" | "timed_out";

/** Terminal run statuses. */
export type TerminalRunStatus = Extract<RunStatus, "succeeded" | "failed" | "cancelled" | "timed_out">;

/**
 * Status of a task within a run.
 * - `pending`: waiting for dependencies; `ready`: queued; `running`: leased by a worker;
 * - `retrying`: failed an attempt, queued again after its backoff;
 * - `succeeded`; `skipped`: a `beforeTask` hook supplied its result; `failed`;
 * - `upstream_failed`: a dependency failed, so it never ran; `cancelled`: the run ended before it finished.
 */
export type TaskStatus =
  | "pending"
  | "ready"
  | "running"
  | "retrying"
  | "succeeded"
  | "skipped"
  | "failed"
  | "upstream_failed"
  | "cancelled";

/** One task's state in a run record. Times are epoch milliseconds (the backend's clock). */
export interface TaskRecord {
  name: string;
  status: TaskStatus;
  dependsOn: readonly string[];
  /** Higher is claimed first among ready tasks. */
  priority: number;
  /** Attempts started so far. */
  attempts: number;
  /** The attempt that began the current retry round: 1, or the first attempt after a manual retry. */
  firstAttempt?: number;
  output?: unknown;
  error?: SerializedError;
  /** When the current attempt became ready (for queue-wait metrics). */
  readyAt?: number;
  startedAt?: number;
  endedAt?: number;
  /** Duration of the last attempt. */
  durationMs?: number;
  /** When a `retrying` task becomes claimable again. */
  retryAt?: number;
}

/** A run as stored and returned by `getRun` / `listRuns`. */
export interface RunRecord {
  id: string;
  workflow: string;
  version: string;
  /** The workflow's namespace when the run was created. */
  namespace: string;
  status: RunStatus;
  input: unknown;
  tasks: Record<string, TaskRecord>;
  /** Task order as planned (topological). */
  taskOrder: readonly string[];
  /** The error that ended the run, with the task it came from. */
  error?: SerializedError & { task?: string };
  idempotencyKey?: string;
  /** Fingerprint of the workflow and caller input the idempotency key was first used with. */
  requestHash?: string;
  /** Who started it (filled by auth plugins). */
  startedBy?: string;
  createdAt: number;
  startedAt?: number;
  endedAt?: number;
  /** Whole-run deadline, when the workflow has a timeout. */
  deadlineAt?: number;
}

/** Filter for `listRuns`. Results are newest first. */
export interface RunFilter {
  workflow?: string;
  /** Only runs in this namespace (or any of these). */
  namespace?: string | readonly string[];
  status?: RunStatus | RunStatus[];
  /** Created at or after (epoch ms). */
  createdAfter?: number;
  /** Created before (epoch ms). */
  createdBefore?: number;
  /** @default 50 */
  limit?: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string;
}

/** One page of runs. */
export interface RunPage {
  runs: RunRecord[];
  nextCursor?: string;
}

// ---------------------------------------------------------------- events

/** Event types recorded in each run's ordered event log. */
export type RunEventType =
  | "run:created"
  | "run:started"
  | "run:succeeded"
  | "run:failed"
  | "run:cancelled"
  | "run:timed_out"
  | "run:retried"
  | "run:resumed"
  | "task:started"
  | "task:succeeded"
  | "task:skipped"
  | "task:failed"
  | "task:retrying"
  | "task:upstream_failed"
  | "task:lease_lost";

/** One entry of a run's event log. `id` orders events within the run and resumes a stream after it. */
export interface RunEvent {
  id: string;
  runId: string;
  type: RunEventType;
  /** Epoch ms, the backend's clock. */
  at: number;
  task?: string;
  attempt?: number;
  /** For task events: duration of the attempt. */
  durationMs?: number;
  error?: SerializedError;
}

// ---------------------------------------------------------------- task context

/** What a handler receives. */
export interface TaskContext<TInput = unknown, TDeps = Record<string, unknown>> {
  /** The workflow run's input. */
  readonly input: TInput;
  /** Outputs of this task's dependencies, by task name. */
  readonly deps: TDeps;
  /** Aborts on timeout, cancellation, workflow timeout or a lost lease. */
  readonly signal: AbortSignal;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly runId: string;
  readonly taskName: string;
  readonly workflow: string;
  /** `runId:taskName`: the same for every attempt, for idempotent side effects. */
  readonly idempotencyKey: string;
  /** A child logger carrying `workflow_id` and `task_name`. */
  readonly logger: Logger;
}
