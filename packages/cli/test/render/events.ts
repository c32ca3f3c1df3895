/** A run record and its event log, built by hand for renderer tests. */
import type { RunEvent, RunRecord } from "@flowmesh/core";

export const T0 = 1_700_000_000_000;

/** extract → (transform, audit) → load: a diamond with one retrying task. */
export function record(): RunRecord {
  const task = (name: string, dependsOn: string[] = []) => ({
    name,
    status: "pending" as const,
    dependsOn,
    priority: 0,
    attempts: 0,
  });
  return {
    id: "run-1",
    workflow: "etl",
    version: "1",
    namespace: "default",
    status: "pending",
    input: {},
    tasks: {
      extract: task("extract"),
      transform: task("transform", ["extract"]),
      audit: task("audit", ["extract"]),
      load: task("load", ["transform", "audit"]),
    },
    taskOrder: ["extract", "transform", "audit", "load"],
    createdAt: T0,
  };
}

let id = 0;
/** One event `ms` after T0. */
export function event(type: RunEvent["type"], ms: number, fields: Partial<RunEvent> = {}): RunEvent {
  id += 1;
  return { id: String(id), runId: "run-1", type, at: T0 + ms, ...fields };
}

const boom = { name: "Error", message: "503 from upstream\nat line 2" };

/** The log of a run where audit fails once, is retried, and everything succeeds. */
export function successLog(): RunEvent[] {
  return [
    event("run:created", 0),
    event("run:started", 5),
    event("task:started", 5, { task: "extract", attempt: 1 }),
    event("task:succeeded", 125, { task: "extract", attempt: 1, durationMs: 120 }),
    event("task:started", 126, { task: "transform", attempt: 1 }),
    event("task:started", 126, { task: "audit", attempt: 1 }),
    event("task:retrying", 200, { task: "audit", attempt: 1, durationMs: 74, error: boom }),
    event("task:started", 400, { task: "audit", attempt: 2 }),
    event("task:succeeded", 1_500, { task: "transform", attempt: 1, durationMs: 1_374 }),
    event("task:succeeded", 1_600, { task: "audit", attempt: 2, durationMs: 1_200 }),
    event("task:started", 1_601, { task: "load", attempt: 1 }),
    event("task:succeeded", 1_700, { task: "load", attempt: 1, durationMs: 99 }),
    event("run:succeeded", 1_701),
  ];
}
