/** Which errors count against a circuit breaker. */
import { isRetryLater } from "@flowmesh/core";
import { isNonRetryable } from "@flowmesh/core/plugin";
import type { BreakerOutcome } from "./breaker-types.js";
import type { ResolvedCircuitBreaker } from "./options.js";

/**
 * The engine stopping an attempt (cancel, lost lease, closing, the run's
 * timeout) says nothing about the downstream service: never counted.
 */
const ENGINE_STOPS: ReadonlySet<string> = new Set([
  "FM_ERR_CANCELLED",
  "FM_ERR_LEASE_LOST",
  "FM_ERR_CLOSED",
  "FM_ERR_WORKFLOW_TIMEOUT",
]);

/**
 * How a failed call counts: `failure`, or `ignored` for engine stops,
 * retry-later deferrals (another policy's open breaker), and, unless
 * configured otherwise, non-retryable errors and those listed in `ignore`.
 * Task timeouts count: a slow service is what breakers are for.
 */
export function classifyError(error: unknown, settings: ResolvedCircuitBreaker): BreakerOutcome {
  if (isRetryLater(error)) return "ignored";
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code === "string" && ENGINE_STOPS.has(code)) return "ignored";
  if (settings.isFailure !== undefined) {
    try {
      return settings.isFailure(error) ? "failure" : "ignored";
    } catch {
      // A broken predicate must not replace the task's own error: count the failure.
      return "failure";
    }
  }
  if (!settings.countNonRetryable && isNonRetryable(error)) return "ignored";
  const name = error instanceof Error ? error.name : undefined;
  if (name !== undefined && settings.ignore.includes(name)) return "ignored";
  if (typeof code === "string" && settings.ignore.includes(code)) return "ignored";
  return "failure";
}
