/** Run graphs as `create_run()` takes them, serialised once per graph (core reuses graph objects), and their root counts. */
import type { RunGraph } from "@flowmesh/core/plugin";

const cache = new WeakMap<RunGraph, string>();

/** `[[name, priority, [dependsOn...], [dependents...]], ...]` in plan order. */
export function graphJson(graph: RunGraph): string {
  let json = cache.get(graph);
  if (json === undefined) {
    const dependents = new Map<string, string[]>(graph.tasks.map((t) => [t.name, []]));
    for (const t of graph.tasks) for (const d of t.dependsOn) dependents.get(d)?.push(t.name);
    json = JSON.stringify(graph.tasks.map((t) => [t.name, t.priority, t.dependsOn, dependents.get(t.name)]));
    cache.set(graph, json);
  }
  return json;
}

const roots = new WeakMap<RunGraph, number>();

/** Tasks of a graph with no dependencies (once per graph object). */
export function rootCount(graph: RunGraph): number {
  let count = roots.get(graph);
  if (count === undefined) {
    count = graph.tasks.filter((task) => task.dependsOn.length === 0).length;
    roots.set(graph, count);
  }
  return count;
}
