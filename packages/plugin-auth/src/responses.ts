/**
 * The answers the plugin gives itself. Every authentication failure is the
 * same 401 and every refusal the same 403, whatever the check that failed:
 * the reason is logged, never sent.
 */
import { FlowMeshError } from "@flowmesh/core";

/** The one 401: thrown from `authenticate`. */
export function unauthenticated(): FlowMeshError {
  return new FlowMeshError("FM_ERR_UNAUTHENTICATED", "authentication required");
}

/** The 429 returned from `beforeRequest`, in the server's error shape. */
export function rateLimitedResponse(retryAfterSeconds: number): Response {
  const body = {
    error: {
      code: "FM_ERR_RATE_LIMITED",
      message: `rate limited: retry after ${retryAfterSeconds} s`,
      details: { retryAfterSeconds },
    },
  };
  return new Response(JSON.stringify(body), {
    status: 429,
    headers: { "content-type": "application/json; charset=utf-8", "retry-after": String(retryAfterSeconds) },
  });
}
