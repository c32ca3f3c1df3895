/** Formats what the example prints: the run record, its retries, its outputs and the hook's figures. */
import type { RunEvent, RunRecord } from "@flowmesh/core";

export interface SummaryInput {
  run: RunRecord;
  /** The run's event log (for the failed attempts that were retried). */
  events: readonly RunEvent[];
  /** What the metrics hook collected, by `workflow/task`. */
  durations: ReadonlyMap<string, readonly number[]>;
  /** Where the JSON-file store keeps runs, and how many it holds. */
  storeDir: string;
  storedRuns: number;
  runFile: string;
}

export function formatSummary({
  run,
  events,
  durations,
  storeDir,
  storedRuns,
  runFile,
}: SummaryInput): string {
  const lines: string[] = [];
  const took =
    run.startedAt !== undefined && run.endedAt !== undefined ? ` in ${run.endedAt - run.startedAt} ms` : "";
  lines.push(`FlowMesh enterprise pipeline: workflow "${run.workflow}" v${run.version}`);
  lines.push(`Run ${run.id} ${run.status.toUpperCase()}${took}`);
  if (run.error !== undefined) {
    lines.push(
      `  error${run.error.task === undefined ? "" : ` in task "${run.error.task}"`}: ${run.error.message}`,
    );
  }

  lines.push("", `Tasks  ${pad("", 10)}${pad("status", 17)}${pad("attempts", 10)}duration`);
  for (const name of run.taskOrder) {
    const task = run.tasks[name]!;
    const duration = task.durationMs === undefined ? "-" : ms(task.durationMs);
    lines.push(`  ${pad(name, 15)}${pad(task.status, 17)}${pad(String(task.attempts), 10)}${duration}`);
  }

  const retries = events.filter((event) => event.type === "task:retrying");
  if (retries.length > 0) {
    lines.push("", "Retries");
    for (const event of retries) {
      lines.push(
        `  ${event.task} attempt ${event.attempt} failed: ${event.error?.message ?? "unknown error"} (retried)`,
      );
    }
  }

  lines.push("", "Outputs (data passed downstream through ctx.deps)");
  for (const name of run.taskOrder) {
    const task = run.tasks[name]!;
    if (task.status === "succeeded" || task.status === "skipped")
      lines.push(`  ${pad(name, 15)}${describe(task.output)}`);
  }

  lines.push("", "Metrics hook (afterTask reads result.durationMs)");
  if (durations.size === 0) lines.push("  (no task succeeded)");
  for (const [key, values] of durations) lines.push(`  ${pad(key, 30)}${values.map(ms).join(", ")}`);

  lines.push("", "Storage (custom JsonFileStore: one JSON file per run)");
  lines.push(`  directory  ${storeDir} (${storedRuns} run${storedRuns === 1 ? "" : "s"} stored)`);
  lines.push(`  this run   ${runFile}`);
  return lines.join("\n");
}

/** A one-line sketch of a value: arrays as their length, strings quoted, one level of object keys. */
function describe(value: unknown, depth = 0): string {
  if (Array.isArray(value)) return `[${value.length} item${value.length === 1 ? "" : "s"}]`;
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value !== "object" || value === null) return String(value);
  if (depth > 0) return "{…}";
  const fields = Object.entries(value).map(([key, v]) => `${key}: ${describe(v, depth + 1)}`);
  return `{ ${fields.join(", ")} }`;
}

function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}

function pad(text: string, width: number): string {
  return text.padEnd(width - 1) + " ";
}
