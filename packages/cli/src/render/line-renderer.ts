/**
 * One line per event, for logs and CI (no terminal, or `CI` set):
 * `+0.012s task:succeeded   greet  attempt 1  3ms`.
 */
import type { RunEvent, RunRecord } from "@flowmesh/core";
import { firstLine, formatDuration } from "./format.js";
import type { RunRenderer } from "./renderer.js";
import type { RunView } from "./run-view.js";
import { runSummary } from "./summary.js";

/** Where the lines go. */
export interface LineOutput {
  write(chunk: string): unknown;
}

/** Width of the event-type column (`task:upstream_failed` is the longest). */
const TYPE_WIDTH = 20;

/** The line for one event; times are relative to the run's creation. */
export function eventLine(event: RunEvent, createdAt: number): string {
  const offset = `+${((event.at - createdAt) / 1000).toFixed(3)}s`;
  const parts = [offset, event.type.padEnd(TYPE_WIDTH)];
  if (event.task !== undefined) parts.push(event.task);
  if (event.attempt !== undefined && event.attempt > 0) parts.push(`attempt ${event.attempt}`);
  if (event.durationMs !== undefined) parts.push(formatDuration(event.durationMs));
  if (event.error !== undefined) parts.push(`${event.error.name}: ${firstLine(event.error.message)}`);
  return parts.join("  ").trimEnd();
}

export class LineRenderer implements RunRenderer {
  private createdAt = 0;

  constructor(private readonly out: LineOutput) {}

  begin(view: RunView): void {
    this.createdAt = view.createdAt;
    const version = view.version === "" ? "" : ` v${view.version}`;
    this.out.write(`run ${view.runId}: ${view.workflow}${version}, ${view.tasks.length} tasks\n`);
  }

  event(event: RunEvent): void {
    this.out.write(`${eventLine(event, this.createdAt)}\n`);
  }

  end(run: RunRecord, outputs: Record<string, unknown>): void {
    this.out.write(runSummary(run, outputs, false));
  }
}
