/**
 * The one error class FlowMesh throws, with a closed set of codes.
 * Every code is documented in `docs/errors.md`; messages say what was received and where.
 */

/** Every code a {@link FlowMeshError} can carry. */
export const ERROR_CODES = {
  /** A workflow or task definition failed validation. */
  FM_ERR_INVALID_DEFINITION: "invalid workflow definition",
  /** The dependency graph has a cycle. */
  FM_ERR_CYCLE: "dependency cycle",
  /** Options passed to the engine, a plugin or an API call are invalid. */
  FM_ERR_INVALID_OPTIONS: "invalid options",
  /** No workflow is registered under that name (and version). */
  FM_ERR_UNKNOWN_WORKFLOW: "unknown workflow",
  /** No run has that id. */
  FM_ERR_UNKNOWN_RUN: "unknown run",
  /** The run is in a state that does not allow the operation. */
  FM_ERR_INVALID_STATE: "invalid run state",
  /** An idempotency key was reused for a different workflow or input. */
  FM_ERR_IDEMPOTENCY_CONFLICT: "idempotency key conflict",
  /** A task handler could not be resolved. */
  FM_ERR_UNRESOLVED_HANDLER: "unresolved task handler",
  /** A task attempt exceeded its timeout. */
  FM_ERR_TASK_TIMEOUT: "task timed out",
  /** The workflow exceeded its timeout. */
  FM_ERR_WORKFLOW_TIMEOUT: "workflow timed out",
  /** The run was cancelled. */
  FM_ERR_CANCELLED: "run cancelled",
  /** The worker's lease on a task expired or was taken over; its outcome was discarded. */
  FM_ERR_LEASE_LOST: "lease lost",
  /** A `beforeTask` hook refused to run a task. */
  FM_ERR_TASK_REFUSED: "task refused",
  /** A task handler threw or rejected. */
  FM_ERR_TASK_FAILED: "task failed",
  /** A run ended failed, cancelled or timed out (thrown by `handle.result()`). */
  FM_ERR_RUN_FAILED: "run did not succeed",
  /** A hook tapped by a plugin threw. */
  FM_ERR_HOOK: "hook failed",
  /** Plugin setup failed: missing dependency, duplicate provider, bad options. */
  FM_ERR_PLUGIN: "plugin error",
  /** The backend failed or is unreachable. */
  FM_ERR_BACKEND: "backend error",
  /** The engine is closed or closing. */
  FM_ERR_CLOSED: "engine closed",
  /** A claimed task was returned to the queue unstarted (its attempt refunded) for another worker to take. */
  FM_ERR_HANDED_BACK: "handed back unstarted",
  /** The database schema is newer than this code, or a migration failed. */
  FM_ERR_MIGRATION: "migration error",
  /** A circuit breaker is open: calls fail fast until it half-opens. */
  FM_ERR_CIRCUIT_OPEN: "circuit open",
  /** A bulkhead's queue is full: the task failed without calling its handler (the retry policy applies). */
  FM_ERR_BULKHEAD_FULL: "bulkhead full",
  /** HTTP: no valid credentials. The message never says which check failed. */
  FM_ERR_UNAUTHENTICATED: "unauthenticated",
  /** HTTP: authenticated, but not allowed to do this. */
  FM_ERR_FORBIDDEN: "forbidden",
  /** HTTP: too many requests; retry after the time in `details.retryAfterSeconds`. */
  FM_ERR_RATE_LIMITED: "rate limited",
  /** HTTP: no such route or resource. */
  FM_ERR_NOT_FOUND: "not found",
  /** HTTP: the route exists but not for this method. */
  FM_ERR_METHOD_NOT_ALLOWED: "method not allowed",
  /** HTTP: the request body is larger than the configured limit. */
  FM_ERR_PAYLOAD_TOO_LARGE: "payload too large",
  /** HTTP: the request body or parameters failed validation; `details.issues` lists each path. */
  FM_ERR_INVALID_REQUEST: "invalid request",
  /** HTTP: an unexpected server error; the client sees no detail, the server logs it. */
  FM_ERR_INTERNAL: "internal error",
} as const;

/** A FlowMesh error code. */
export type FlowMeshErrorCode = keyof typeof ERROR_CODES;

/** Options for {@link FlowMeshError}. */
export interface FlowMeshErrorOptions {
  cause?: unknown;
  /** Structured details (paths, names) for programs; the message is for people. */
  details?: Record<string, unknown>;
}

/** The error FlowMesh throws. `code` is one of {@link ERROR_CODES}. */
export class FlowMeshError extends Error {
  override readonly name: string = "FlowMeshError";
  readonly code: FlowMeshErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: FlowMeshErrorCode, message: string, options: FlowMeshErrorOptions = {}) {
    super(`[flowmesh] ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }
}

/**
 * Throw this from a task handler to fail the task at once, without retries
 * (bad input, a 4xx from an API, anything that will not get better by waiting).
 */
export class NonRetryableError extends Error {
  override readonly name: string = "NonRetryableError";
  readonly retryable = false;
}

/** An error as stored in a run record: plain JSON, safe to persist and send. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  /** False when the error must not be retried. */
  retryable?: boolean;
  stack?: string;
  cause?: SerializedError;
}

/** Turns anything thrown into a {@link SerializedError}. */
export function serializeError(error: unknown, depth = 0): SerializedError {
  if (error instanceof Error) {
    const out: SerializedError = { name: error.name, message: error.message };
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string") out.code = code;
    if (error instanceof NonRetryableError) out.retryable = false;
    if (error.stack !== undefined) out.stack = error.stack;
    if (error.cause !== undefined && depth < 4) out.cause = serializeError(error.cause, depth + 1);
    return out;
  }
  return { name: "Error", message: typeof error === "string" ? error : safeStringify(error) };
}

/** True when an error (thrown or serialized) must not be retried. */
export function isNonRetryable(error: unknown): boolean {
  return (
    error instanceof NonRetryableError ||
    (typeof error === "object" && error !== null && (error as { retryable?: unknown }).retryable === false)
  );
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
