/**
 * Why `retryRun` was refused. The retry_run function answers with a reason
 * instead of raising, so the errors are built here, with the codes and words
 * of the in-memory coordinator's: callers see the same errors whichever
 * backend they run on (the shared conformance suite checks the codes).
 */
import { FlowMeshError } from "@flowmesh/core";
import type { RetryRow } from "./records.js";

/** The error for a refused retry (`row.out_error` is not null). */
export function retryRefused(runId: string, row: RetryRow): FlowMeshError {
  switch (row.out_error) {
    case "unknown":
      return unknownRun(runId);
    case "not_finished":
      return new FlowMeshError(
        "FM_ERR_INVALID_STATE",
        `retry: run "${runId}" is ${row.out_status}; only a finished run can be retried`,
        { details: { runId, status: row.out_status } },
      );
    case "nothing":
      return new FlowMeshError("FM_ERR_INVALID_STATE", `retry: run "${runId}" has no task to retry`, {
        details: { runId },
      });
    default:
      return new FlowMeshError(
        "FM_ERR_INVALID_STATE",
        `retry: task "${row.out_task}" of run "${runId}" depends on "${row.out_dep}", which did not succeed and is not being retried`,
        { details: { runId, task: row.out_task, dependency: row.out_dep } },
      );
  }
}

export function unknownRun(runId: string): FlowMeshError {
  return new FlowMeshError("FM_ERR_UNKNOWN_RUN", `retry: no run with id "${runId}"`, { details: { runId } });
}
