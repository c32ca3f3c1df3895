/**
 * Every error becomes one JSON shape, `{ error: { code, message, details } }`,
 * with a status from its code. Stacks and causes never reach the client;
 * unexpected errors are logged and answered with a generic 500.
 */
import { FlowMeshError, type FlowMeshErrorCode, type Logger } from "@flowmesh/core";

/** The JSON body of every error response. */
export interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

const STATUS: Partial<Record<FlowMeshErrorCode, number>> = {
  FM_ERR_INVALID_REQUEST: 422,
  FM_ERR_INVALID_DEFINITION: 422,
  FM_ERR_CYCLE: 422,
  FM_ERR_INVALID_OPTIONS: 422,
  FM_ERR_UNRESOLVED_HANDLER: 422,
  FM_ERR_UNAUTHENTICATED: 401,
  FM_ERR_FORBIDDEN: 403,
  FM_ERR_NOT_FOUND: 404,
  FM_ERR_UNKNOWN_WORKFLOW: 404,
  FM_ERR_UNKNOWN_RUN: 404,
  FM_ERR_METHOD_NOT_ALLOWED: 405,
  FM_ERR_IDEMPOTENCY_CONFLICT: 409,
  FM_ERR_INVALID_STATE: 409,
  FM_ERR_PAYLOAD_TOO_LARGE: 413,
  FM_ERR_RATE_LIMITED: 429,
  FM_ERR_BACKEND: 503,
  FM_ERR_CLOSED: 503,
  FM_ERR_CIRCUIT_OPEN: 503,
};

/** An error with an explicit status, for the few cases a code does not decide (400 vs 422, 415). */
export class HttpStatusError extends FlowMeshError {
  constructor(
    readonly status: number,
    code: FlowMeshErrorCode,
    message: string,
    details?: Record<string, unknown>,
  ) {
    super(code, message, details === undefined ? {} : { details });
  }
}

/** Shorthand for a 404 that looks the same whether a resource is missing or hidden. */
export function notFound(kind: string, id?: string): FlowMeshError {
  const what = id === undefined ? kind : `${kind} ${JSON.stringify(id)}`;
  return new FlowMeshError("FM_ERR_NOT_FOUND", `${what} not found`, {
    details: { kind, ...(id === undefined ? {} : { id }) },
  });
}

/**
 * The status and body for anything thrown. A hook error (`FM_ERR_HOOK`)
 * that wraps a FlowMeshError answers as the wrapped error: an auth plugin's
 * `FM_ERR_UNAUTHENTICATED` is a 401, not a 500.
 */
export function errorResponse(error: unknown, logger: Logger | undefined, headers?: Headers): Response {
  const known = unwrap(error);
  let status: number;
  let body: ErrorBody;
  if (known === undefined) {
    status = 500;
    body = {
      error: {
        code: "FM_ERR_INTERNAL" satisfies FlowMeshErrorCode,
        message: "internal server error",
        details: {},
      },
    };
  } else {
    status = known instanceof HttpStatusError ? known.status : (STATUS[known.code] ?? 500);
    body = {
      error: { code: known.code, message: stripPrefix(known.message), details: safeDetails(known.details) },
    };
  }
  if (status >= 500) logger?.error({ err: error }, "request failed");
  const response = new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
  if (known?.code === "FM_ERR_RATE_LIMITED") {
    const seconds = Number(known.details?.retryAfterSeconds);
    if (Number.isFinite(seconds) && seconds >= 0)
      response.headers.set("retry-after", String(Math.ceil(seconds)));
  }
  if (known?.code === "FM_ERR_METHOD_NOT_ALLOWED" && Array.isArray(known.details?.allow)) {
    response.headers.set("allow", (known.details.allow as string[]).join(", "));
  }
  headers?.forEach((value, key) => response.headers.set(key, value));
  return response;
}

/** The FlowMeshError to answer with, looking through hook wrappers; undefined for unexpected errors. */
function unwrap(error: unknown): FlowMeshError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5; depth++) {
    if (!(current instanceof FlowMeshError)) return undefined;
    if (current.code !== "FM_ERR_HOOK") return current;
    if (!(current.cause instanceof FlowMeshError)) return undefined;
    current = current.cause;
  }
  return undefined;
}

function stripPrefix(message: string): string {
  return message.startsWith("[flowmesh] ") ? message.slice(11) : message;
}

/** Details as plain JSON, without anything that could carry a stack or a cause. */
function safeDetails(details: Record<string, unknown> | undefined): Record<string, unknown> {
  if (details === undefined) return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(details)) {
    if (value === undefined || value instanceof Error || key === "stack" || key === "cause") continue;
    out[key] = value;
  }
  return out;
}
