/**
 * `workflow()`: the function style of the brief's `@workflow(name="ETL")`
 * returning `[extract, transform, load]`. With options alone it is the
 * `@workflow` class decorator.
 */
import { describe } from "../model/issues.js";
import type { WorkflowDefinitionInput } from "../types.js";
import { workflowClass } from "./decorators.js";
import { checkOptionKeys, defineWorkflow, invalid, WORKFLOW_OPTION_KEYS } from "./define.js";
import type { ClassWorkflowOptions, TaskLike, WorkflowClassDecorator, WorkflowOptions } from "./types.js";

/**
 * A workflow from a list of tasks (`task()` functions, `Task`s, definition
 * objects, or named functions), or a function returning that list. A list in
 * which no task declares `dependsOn` runs in list order; otherwise the
 * dependencies decide. Validated at once; register the result with
 * `fm.register()`.
 *
 * ```ts
 * const etl = workflow({ name: "ETL" }, () => [extract, transform, load]);
 * ```
 */
export function workflow(
  options: WorkflowOptions,
  tasks: readonly TaskLike[] | (() => readonly TaskLike[]),
): WorkflowDefinitionInput;
/**
 * The `@workflow({ name })` decorator for a class whose methods carry `@task`
 * (TC39 decorators). The name defaults to the class name. Get the definition
 * with `workflowOf(ClassOrInstance)`.
 */
export function workflow(options?: ClassWorkflowOptions): WorkflowClassDecorator;
export function workflow(...args: unknown[]): WorkflowDefinitionInput | WorkflowClassDecorator {
  if (args.length <= 1) return workflowClass(args[0] ?? {});
  const [options, tasks] = args;
  const given = (options as { name?: unknown } | null)?.name;
  const where = typeof given === "string" ? `workflow ${JSON.stringify(given)}` : "workflow()";
  checkOptionKeys(where, options, WORKFLOW_OPTION_KEYS);
  const list: unknown = typeof tasks === "function" ? (tasks as () => unknown)() : tasks;
  if (!Array.isArray(list)) {
    throw invalid(where, [
      {
        path: "tasks",
        message: `expected a list of tasks or a function returning one, received ${describe(list)}`,
      },
    ]);
  }
  return defineWorkflow(options as WorkflowOptions, list);
}
