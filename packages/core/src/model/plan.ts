/**
 * Planning turns a workflow definition into the graph the engine runs: names
 * checked for duplicates, dependencies resolved to indices, tasks in a stable
 * topological order. A plan is built once per registered workflow version and
 * shared by every run, so everything here is computed once (or memoized).
 */
import type { RunGraph } from "../backend/types.js";
import { FlowMeshError } from "../errors.js";
import type { TaskDefinition, WorkflowDefinition, WorkflowDefinitionInput } from "../types.js";
import type { DefinitionIssue } from "./issues.js";
import { invalidDefinition } from "./issues.js";
import { normalizeWorkflow } from "./schema.js";

/** A task with its place in the plan. `index`, `deps` and `dependents` are positions in {@link WorkflowPlan.tasks}. */
export interface PlannedTask extends TaskDefinition {
  index: number;
  /** Indices of the tasks this one depends on, in `dependsOn` order. */
  deps: readonly number[];
  /** Indices of the tasks that depend directly on this one, ascending (topological). */
  dependents: readonly number[];
}

/** A validated workflow ready to run. */
export interface WorkflowPlan {
  readonly definition: WorkflowDefinition;
  readonly name: string;
  readonly version: string;
  /**
   * Topological order. Among tasks whose dependencies are satisfied the one
   * defined first comes first, so an already ordered definition keeps its order.
   */
  readonly tasks: readonly PlannedTask[];
  readonly byName: ReadonlyMap<string, PlannedTask>;
  /** The graph handed to backends, tasks in the same order as {@link tasks}. */
  readonly graph: RunGraph;
  /** Tasks with no dependencies: what a new run can start at once. */
  readonly rootCount: number;
  readonly namespace: string;
  /** Whole-run timeout. */
  readonly timeoutMs: number | undefined;
  /**
   * Every task downstream of `taskName` (transitive dependents), in topological
   * order, excluding the task itself. Throws `FM_ERR_INVALID_OPTIONS` for an unknown task.
   */
  downstreamOf(taskName: string): string[];
}

/**
 * Validates and plans a workflow. Accepts raw input (any authoring style) or a
 * normalized definition. Throws `FM_ERR_INVALID_DEFINITION` for schema errors,
 * duplicate task names, unknown or self dependencies (all issues at once), and
 * `FM_ERR_CYCLE` naming each cycle in run order: `dependency cycle: a -> b -> a`
 * (an arrow points from a task to one that depends on it).
 */
export function planWorkflow(input: WorkflowDefinitionInput | WorkflowDefinition): WorkflowPlan {
  const definition = normalizeWorkflow(input);
  const defined = definition.tasks;
  const indexOf = resolveNames(definition, input);
  const depsOf = defined.map((task) => task.dependsOn.map((dep) => indexOf.get(dep)!));
  const dependentsOf = defined.map((): number[] => []);
  depsOf.forEach((deps, i) => deps.forEach((dep) => dependentsOf[dep]!.push(i)));

  const order = topologicalOrder(depsOf, dependentsOf);
  if (order.length < defined.length) {
    const cycles = findCycles(depsOf, new Set(order)).map((cycle) => cycle.map((i) => defined[i]!.name));
    const issues = cycles.map((names) => ({ path: "", message: `dependency cycle: ${names.join(" -> ")}` }));
    throw invalidDefinition(definition.name, issues, "FM_ERR_CYCLE", { cycles });
  }

  const position: number[] = [];
  order.forEach((definedAt, at) => (position[definedAt] = at));
  const tasks = order.map((definedAt, at): PlannedTask => ({
    ...defined[definedAt]!,
    index: at,
    deps: Object.freeze(depsOf[definedAt]!.map((i) => position[i]!)),
    dependents: Object.freeze(dependentsOf[definedAt]!.map((i) => position[i]!).sort((a, b) => a - b)),
  }));
  return createPlan(definition, Object.freeze(tasks));
}

// ---------------------------------------------------------------- private helpers

function createPlan(definition: WorkflowDefinition, tasks: readonly PlannedTask[]): WorkflowPlan {
  const byName = new Map(tasks.map((task) => [task.name, task]));
  const graph: RunGraph = Object.freeze({
    tasks: Object.freeze(
      tasks.map((task) =>
        Object.freeze({ name: task.name, dependsOn: [...task.dependsOn], priority: task.priority }),
      ),
    ),
  });
  // Asked on every final failure of a run; the answer never changes for a plan.
  const downstream = new Map<string, readonly string[]>();
  return {
    definition,
    name: definition.name,
    version: definition.version,
    tasks,
    byName,
    graph,
    rootCount: graph.tasks.filter((task) => task.dependsOn.length === 0).length,
    namespace: definition.namespace,
    timeoutMs: definition.timeoutMs,
    downstreamOf(taskName) {
      let names = downstream.get(taskName);
      if (names === undefined) {
        const task = byName.get(taskName);
        if (task === undefined) {
          throw new FlowMeshError(
            "FM_ERR_INVALID_OPTIONS",
            `workflow ${JSON.stringify(definition.name)} has no task ${JSON.stringify(taskName)}`,
            { details: { workflow: definition.name, task: taskName } },
          );
        }
        names = collectDownstream(tasks, task.index);
        downstream.set(taskName, names);
      }
      return [...names];
    },
  };
}

/** Transitive dependents of `start`; indices are topological, so a forward sweep sees every parent first. */
function collectDownstream(tasks: readonly PlannedTask[], start: number): readonly string[] {
  const reached = new Array<boolean>(tasks.length).fill(false);
  reached[start] = true;
  const names: string[] = [];
  for (let i = start + 1; i < tasks.length; i++) {
    const task = tasks[i]!;
    if (task.deps.some((dep) => reached[dep])) {
      reached[i] = true;
      names.push(task.name);
    }
  }
  return Object.freeze(names);
}

/**
 * Maps each task name to its definition index, reporting duplicate names and
 * unknown or self dependencies together, so one run of `flowmesh validate` shows them all.
 */
function resolveNames(
  definition: WorkflowDefinition,
  input: WorkflowDefinitionInput | WorkflowDefinition,
): Map<string, number> {
  const issues: DefinitionIssue[] = [];
  const indexOf = new Map<string, number>();
  definition.tasks.forEach((task, i) => {
    const first = indexOf.get(task.name);
    if (first === undefined) indexOf.set(task.name, i);
    else
      issues.push({
        path: `tasks[${i}].name`,
        message: `duplicate task "${task.name}" (first at tasks[${first}])`,
      });
  });
  definition.tasks.forEach((task, i) => {
    const key = dependsOnKey(input, i);
    task.dependsOn.forEach((dep, j) => {
      const path = `tasks[${i}].${key}[${j}]`;
      if (dep === task.name) issues.push({ path, message: `task "${dep}" depends on itself` });
      else if (!indexOf.has(dep)) issues.push({ path, message: `unknown task "${dep}"` });
    });
  });
  if (issues.length > 0) throw invalidDefinition(definition.name, issues);
  return indexOf;
}

/** Paths use the spelling the user wrote; normalized definitions only know `dependsOn`. */
function dependsOnKey(input: unknown, i: number): "dependsOn" | "depends_on" {
  const tasks = (input as { tasks?: unknown }).tasks;
  const task: unknown = Array.isArray(tasks) ? tasks[i] : undefined;
  return typeof task === "object" && task !== null && "depends_on" in task ? "depends_on" : "dependsOn";
}

/**
 * Kahn's algorithm picking the ready task defined first (a min-heap of
 * definition indices). Returns fewer indices than tasks when there is a cycle.
 */
function topologicalOrder(depsOf: readonly number[][], dependentsOf: readonly number[][]): number[] {
  const waiting = depsOf.map((deps) => deps.length);
  const ready = new MinHeap();
  waiting.forEach((count, i) => {
    if (count === 0) ready.push(i);
  });
  const order: number[] = [];
  for (let next = ready.pop(); next !== undefined; next = ready.pop()) {
    order.push(next);
    for (const dependent of dependentsOf[next]!) {
      if (--waiting[dependent]! === 0) ready.push(dependent);
    }
  }
  return order;
}

/**
 * Finds cycles among the tasks Kahn could not order. Each of them waits on at
 * least one other unordered task, so following such a dependency from any of
 * them must come back round. Returns each cycle in run order, starting and
 * ending at its first-defined task.
 */
function findCycles(depsOf: readonly number[][], ordered: ReadonlySet<number>): number[][] {
  const cycles: number[][] = [];
  const visited = new Set<number>();
  for (let start = 0; start < depsOf.length; start++) {
    if (ordered.has(start) || visited.has(start)) continue;
    const trail: number[] = [];
    let at: number | undefined = start;
    // Stop at a task seen on an earlier walk: that walk already reported the cycle it leads to.
    while (at !== undefined && !visited.has(at)) {
      visited.add(at);
      trail.push(at);
      at = depsOf[at]!.find((dep) => !ordered.has(dep));
    }
    const loopStart = at === undefined ? -1 : trail.indexOf(at);
    if (loopStart === -1) continue;
    // The walk followed dependencies (downstream to upstream); reverse it into run order.
    const loop = trail.slice(loopStart).reverse();
    const first = loop.indexOf(loop.reduce((a, b) => Math.min(a, b)));
    const rotated = [...loop.slice(first), ...loop.slice(0, first)];
    cycles.push([...rotated, rotated[0]!]);
  }
  return cycles;
}

/** A binary min-heap of indices: large workflows stay O(n log n) to plan. */
class MinHeap {
  private readonly items: number[] = [];

  push(value: number): void {
    const items = this.items;
    let i = items.push(value) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]! <= value) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = value;
  }

  pop(): number | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && items[right]! < items[left]! ? right : left;
      if (items[child]! >= last) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
    return top;
  }
}
