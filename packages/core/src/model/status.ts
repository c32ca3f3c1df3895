import type { RunStatus, TerminalRunStatus } from "../types.js";

/** True for the statuses a run ends in. */
export function isTerminalStatus(status: RunStatus): status is TerminalRunStatus {
  return status === "succeeded" || status === "failed" || status === "cancelled" || status === "timed_out";
}
