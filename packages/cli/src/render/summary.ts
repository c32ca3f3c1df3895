/** The lines printed when a run ends: its status and time, then its outputs or its error. */
import type { RunRecord } from "@flowmesh/core";
import { firstLine, formatDuration, paint } from "./format.js";

/** `✔ hello succeeded in 1.2s (run …)` and the outputs as JSON, or the error that ended the run. */
export function runSummary(run: RunRecord, outputs: Record<string, unknown>, color: boolean): string {
  const took =
    run.endedAt === undefined ? "" : ` in ${formatDuration(run.endedAt - (run.startedAt ?? run.createdAt))}`;
  const status = run.status.replace("_", " ");
  if (run.status === "succeeded") {
    return [
      `${paint("✔", "green", color)} ${run.workflow} ${status}${took} (run ${run.id})`,
      "outputs:",
      JSON.stringify(outputs, null, 2),
      "",
    ].join("\n");
  }
  const where = run.error?.task === undefined ? "" : `task "${run.error.task}": `;
  const why = run.error === undefined ? "" : `: ${where}${firstLine(run.error.message)}`;
  return `${paint("✖", "red", color)} ${run.workflow} ${status}${took} (run ${run.id})${why}\n`;
}
