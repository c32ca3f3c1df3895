/**
 * A custom hook: a plugin tapping `afterTask`, which runs after each task's
 * output is committed and receives `(task, result, workflow)`. It collects
 * `result.durationMs` per task; a real one would feed a histogram.
 */
import { definePlugin, type FlowMeshPlugin } from "@flowmesh/core";

/** The metrics plugin, with the durations (ms) it collected by `workflow/task`. */
export type MetricsPlugin = FlowMeshPlugin & { readonly durations: Map<string, number[]> };

export function metrics(): MetricsPlugin {
  const durations = new Map<string, number[]>();
  const plugin = definePlugin({
    name: "example-metrics",
    setup(ctx) {
      ctx.hooks.afterTask.tap((task, result, workflow) => {
        const key = `${workflow.name}/${task.taskName}`;
        durations.set(key, [...(durations.get(key) ?? []), result.durationMs]);
      });
    },
  });
  return Object.assign(plugin(), { durations });
}
