/**
 * What the live view shows, as plain data: a run and its tasks, built from
 * the run record and updated by each event of the run's log. Pure, so every
 * renderer (TTY tree, lines, NDJSON) and the tests share one model.
 */
import type { RunEvent, RunRecord, RunStatus, TaskStatus } from "@flowmesh/core";

/** One task as the view shows it. */
export interface TaskView {
  name: string;
  /** Longest chain of dependencies above it: 0 for a root task. */
  depth: number;
  dependsOn: readonly string[];
  status: TaskStatus;
  /** Attempts started so far (0 before the first). */
  attempt: number;
  /** Start of the current attempt (epoch ms, the backend's clock). */
  startedAt?: number | undefined;
  /** Duration of the last finished attempt. */
  durationMs?: number | undefined;
  /** Message of the last error. */
  error?: string | undefined;
}

/** A run as the view shows it. */
export interface RunView {
  runId: string;
  workflow: string;
  version: string;
  status: RunStatus;
  createdAt: number;
  startedAt?: number | undefined;
  endedAt?: number | undefined;
  /** Tasks in the workflow's topological order. */
  tasks: TaskView[];
  /** The error that ended the run. */
  error?: { message: string; task?: string | undefined } | undefined;
}

/** A view of the run as the record shows it now. */
export function viewFromRecord(run: RunRecord): RunView {
  const depths = new Map<string, number>();
  const tasks = run.taskOrder.map((name): TaskView => {
    const task = run.tasks[name]!;
    // taskOrder is topological: every dependency's depth is known already.
    const depth = task.dependsOn.reduce((max, dep) => Math.max(max, (depths.get(dep) ?? 0) + 1), 0);
    depths.set(name, depth);
    return {
      name,
      depth,
      dependsOn: task.dependsOn,
      status: task.status,
      attempt: task.attempts,
      startedAt: task.startedAt,
      durationMs: recordDuration(task),
      error: task.error?.message,
    };
  });
  return {
    runId: run.id,
    workflow: run.workflow,
    version: run.version,
    status: run.status,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    tasks,
    error: run.error === undefined ? undefined : { message: run.error.message, task: run.error.task },
  };
}

/** The view after one event of the run's log (a new object; the input is not changed). */
export function applyEvent(view: RunView, event: RunEvent): RunView {
  if (event.task !== undefined) {
    const tasks = view.tasks.map((task) => (task.name === event.task ? applyTaskEvent(task, event) : task));
    return { ...view, tasks, status: view.status === "pending" ? "running" : view.status };
  }
  switch (event.type) {
    case "run:started":
      return { ...view, status: "running", startedAt: view.startedAt ?? event.at };
    case "run:retried":
    case "run:resumed":
      return { ...view, status: "running", endedAt: undefined, error: undefined };
    case "run:succeeded":
      return { ...view, status: "succeeded", endedAt: event.at };
    case "run:failed":
    case "run:cancelled":
    case "run:timed_out": {
      const status = event.type.slice("run:".length) as RunStatus;
      // Tasks that had not finished will never finish now.
      const tasks = view.tasks.map((task) =>
        isTaskFinished(task.status) ? task : { ...task, status: "cancelled" as const },
      );
      const error = event.error === undefined ? view.error : { message: event.error.message };
      return { ...view, status, endedAt: event.at, tasks, error };
    }
    default:
      return view;
  }
}

/** True once a task will not change any more (in this round of the run). */
export function isTaskFinished(status: TaskStatus): boolean {
  return (
    status === "succeeded" ||
    status === "skipped" ||
    status === "failed" ||
    status === "upstream_failed" ||
    status === "cancelled"
  );
}

/** True once a run has ended. */
export function isRunFinished(status: RunStatus): boolean {
  return status === "succeeded" || status === "failed" || status === "cancelled" || status === "timed_out";
}

function applyTaskEvent(task: TaskView, event: RunEvent): TaskView {
  const attempt = event.attempt ?? task.attempt;
  switch (event.type) {
    case "task:started":
      return { ...task, status: "running", attempt, startedAt: event.at, durationMs: undefined };
    case "task:succeeded":
      return { ...task, status: "succeeded", attempt, durationMs: event.durationMs ?? task.durationMs };
    case "task:skipped":
      return { ...task, status: "skipped", attempt, durationMs: event.durationMs ?? task.durationMs };
    case "task:failed":
      return {
        ...task,
        status: "failed",
        attempt,
        durationMs: event.durationMs ?? task.durationMs,
        error: event.error?.message ?? task.error,
      };
    case "task:retrying":
      return {
        ...task,
        status: "retrying",
        attempt,
        durationMs: event.durationMs ?? task.durationMs,
        error: event.error?.message ?? task.error,
      };
    case "task:upstream_failed":
      return { ...task, status: "upstream_failed" };
    case "task:lease_lost":
      // Another worker picks it up; the next task:started says when.
      return { ...task, status: "ready" };
    default:
      return task;
  }
}

/** A cancelled attempt's time is how long it ran before the cancel; a task never started has none. */
function recordDuration(task: RunRecord["tasks"][string]): number | undefined {
  if (task.attempts === 0) return undefined;
  if (task.status === "cancelled") return durationOf(task.startedAt, task.endedAt);
  return task.durationMs ?? durationOf(task.startedAt, task.endedAt);
}

function durationOf(startedAt: number | undefined, endedAt: number | undefined): number | undefined {
  return startedAt === undefined || endedAt === undefined ? undefined : endedAt - startedAt;
}
