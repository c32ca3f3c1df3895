/**
 * `--json`: NDJSON on stdout. Each event of the run's log as it is stored
 * (the same objects the server streams over SSE), then one last line
 * `{"type":"result","runId",...,"status","outputs","error"}`.
 */
import type { RunEvent, RunRecord } from "@flowmesh/core";
import type { LineOutput } from "./line-renderer.js";
import type { RunRenderer } from "./renderer.js";

/** The last line of `--json` output. */
export interface RunResultLine {
  type: "result";
  runId: string;
  workflow: string;
  version: string;
  status: RunRecord["status"];
  /** Every task's output by name; empty unless the run succeeded. */
  outputs: Record<string, unknown>;
  /** The error that ended the run, if it did not succeed. */
  error?: RunRecord["error"];
  durationMs?: number;
}

export class JsonRenderer implements RunRenderer {
  constructor(private readonly out: LineOutput) {}

  begin(): void {}

  event(event: RunEvent): void {
    this.out.write(`${JSON.stringify(event)}\n`);
  }

  end(run: RunRecord, outputs: Record<string, unknown>): void {
    const line: RunResultLine = {
      type: "result",
      runId: run.id,
      workflow: run.workflow,
      version: run.version,
      status: run.status,
      outputs,
      ...(run.error === undefined ? {} : { error: withoutStack(run.error) }),
      ...(run.endedAt === undefined ? {} : { durationMs: run.endedAt - (run.startedAt ?? run.createdAt) }),
    };
    this.out.write(`${JSON.stringify(line)}\n`);
  }
}

function withoutStack(error: NonNullable<RunRecord["error"]>): NonNullable<RunRecord["error"]> {
  const { stack: _stack, ...rest } = error;
  return rest;
}
