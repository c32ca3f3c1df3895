/** What routes send: run records without stack traces, workflows as their definitions. */
import {
  toJSON,
  type FlowMesh,
  type RegisteredWorkflow,
  type RunRecord,
  type SerializedError,
} from "@flowmesh/core";

/** A run record as sent to clients: errors without `stack` unless `exposeStacks`. Copies only when needed. */
export function runView(run: RunRecord, exposeStacks: boolean): RunRecord {
  if (exposeStacks) return run;
  let tasks = run.tasks;
  let copied = false;
  for (const name in run.tasks) {
    const task = run.tasks[name]!;
    if (task.error === undefined || !hasStack(task.error)) continue;
    if (!copied) {
      tasks = { ...run.tasks };
      copied = true;
    }
    tasks[name] = { ...task, error: withoutStack(task.error) };
  }
  const error = run.error !== undefined && hasStack(run.error) ? withoutStack(run.error) : run.error;
  if (!copied && error === run.error) return run;
  return { ...run, tasks, ...(error === undefined ? {} : { error }) };
}

/** Every registered version of each workflow, grouped by name, latest last. */
export function groupWorkflows(engine: FlowMesh): Map<string, RegisteredWorkflow[]> {
  const byName = new Map<string, RegisteredWorkflow[]>();
  for (const registered of engine.workflows()) {
    const list = byName.get(registered.plan.name);
    if (list === undefined) byName.set(registered.plan.name, [registered]);
    else list.push(registered);
  }
  return byName;
}

/** Summary of a workflow for lists. */
export function workflowSummary(latest: RegisteredWorkflow, versions: readonly RegisteredWorkflow[]) {
  const { plan } = latest;
  return {
    name: plan.name,
    namespace: plan.namespace,
    latestVersion: plan.version,
    versions: versions.map((v) => v.plan.version),
    ...(plan.definition.description === undefined ? {} : { description: plan.definition.description }),
    tasks: plan.tasks.map((task) => task.name),
  };
}

const definitions = new WeakMap<RegisteredWorkflow, Record<string, unknown>>();

/**
 * The definition as a workflow file holds it (camelCase JSON, durations in
 * seconds, function handlers by their task name): a client can POST it back.
 * Computed once per registered version.
 */
export function definitionView(registered: RegisteredWorkflow): Record<string, unknown> {
  let view = definitions.get(registered);
  if (view === undefined) {
    view = JSON.parse(toJSON(registered.plan.definition)) as Record<string, unknown>;
    definitions.set(registered, view);
  }
  return view;
}

function hasStack(error: SerializedError): boolean {
  return error.stack !== undefined || (error.cause !== undefined && hasStack(error.cause));
}

function withoutStack<E extends SerializedError>(error: E): E {
  const { stack: _stack, cause, ...rest } = error;
  return (cause === undefined ? rest : { ...rest, cause: withoutStack(cause) }) as E;
}
