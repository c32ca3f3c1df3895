import { FlowMeshError } from "../errors.js";
import { isTapped } from "../hooks/create-hooks.js";
import type { HookRegistry } from "../hooks/types.js";
import type { WorkflowPlan } from "../model/plan.js";
import type { TaskHandler } from "../types.js";

/**
 * Turns every task's handler into a function: functions stay, references go
 * through `resolveHandler`; then `wrapHandler` wraps each once. Every task that
 * cannot be resolved is named in one error.
 */
export async function resolveHandlers(
  plan: WorkflowPlan,
  hooks: HookRegistry,
  source: string | undefined,
): Promise<TaskHandler[]> {
  const handlers: TaskHandler[] = [];
  const unresolved: { task: string; ref: string }[] = [];
  for (const task of plan.tasks) {
    let handler = typeof task.handler === "function" ? task.handler : undefined;
    if (handler === undefined && isTapped(hooks.resolveHandler)) {
      handler = await hooks.resolveHandler.promise({
        workflow: plan.name,
        task,
        ref: task.handler as string,
        source,
      });
    }
    if (handler === undefined) {
      unresolved.push({ task: task.name, ref: task.handler as string });
      continue;
    }
    if (isTapped(hooks.wrapHandler))
      handler = hooks.wrapHandler.call(handler, { workflow: plan.name, version: plan.version, task });
    handlers[task.index] = handler;
  }
  if (unresolved.length > 0) {
    const list = unresolved.map((u) => `task "${u.task}" (handler "${u.ref}")`).join(", ");
    throw new FlowMeshError(
      "FM_ERR_UNRESOLVED_HANDLER",
      `workflow "${plan.name}": no handler found for ${list}; pass a function, or install a plugin that resolves references`,
      { details: { workflow: plan.name, unresolved } },
    );
  }
  return handlers;
}
