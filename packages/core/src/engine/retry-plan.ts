/**
 * Which tasks a manual retry re-runs, computed from the run record alone (the
 * run's own graph), so it works for any version of any workflow.
 */
import { FlowMeshError } from "../errors.js";
import type { RunRecord, TaskRecord } from "../types.js";

/**
 * Every task that did not succeed (failed, cancelled, never run), plus, with
 * `fromTask`, that task and everything downstream of it even if they
 * succeeded. Unfinished upstream tasks are always included: otherwise the
 * re-run tasks would wait for them forever.
 */
export function tasksToReset(run: RunRecord, fromTask?: string): string[] {
  const reset = new Set(run.taskOrder.filter((name) => !isDone(run.tasks[name]!)));
  if (fromTask !== undefined) {
    if (run.tasks[fromTask] === undefined) {
      throw new FlowMeshError("FM_ERR_INVALID_OPTIONS", `retry: run ${run.id} has no task "${fromTask}"`, {
        details: { path: "fromTask", runId: run.id },
      });
    }
    reset.add(fromTask);
    for (const name of downstreamInRecord(run.tasks, fromTask)) reset.add(name);
  }
  return run.taskOrder.filter((name) => reset.has(name));
}

/** Transitive dependents of `name` in a run record's graph. */
export function downstreamInRecord(
  tasks: Readonly<Record<string, Pick<TaskRecord, "dependsOn">>>,
  name: string,
): string[] {
  const dependents = new Map<string, string[]>();
  for (const [task, record] of Object.entries(tasks)) {
    for (const dep of record.dependsOn) {
      const list = dependents.get(dep);
      if (list === undefined) dependents.set(dep, [task]);
      else list.push(task);
    }
  }
  const out = new Set<string>();
  const frontier = [name];
  while (frontier.length > 0) {
    for (const next of dependents.get(frontier.pop()!) ?? []) {
      if (out.has(next)) continue;
      out.add(next);
      frontier.push(next);
    }
  }
  return [...out];
}

function isDone(task: TaskRecord): boolean {
  return task.status === "succeeded" || task.status === "skipped";
}
