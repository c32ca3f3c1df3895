import type { RunRecord } from "../types.js";
import type { RunResult } from "./types.js";

/** Outputs of succeeded and skipped tasks, by task name, in plan order. */
export function outputsOf(run: RunRecord): Record<string, unknown> {
  const outputs: Record<string, unknown> = {};
  for (const name of run.taskOrder) {
    const task = run.tasks[name]!;
    if (task.status === "succeeded" || task.status === "skipped") outputs[name] = task.output;
  }
  return outputs;
}

/** The result view of a full record. */
export function resultOf(run: RunRecord): RunResult {
  return {
    status: run.status,
    outputs: outputsOf(run),
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    error: run.error,
  };
}
