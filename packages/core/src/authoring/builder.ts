/**
 * `workflowBuilder(name)`: a chainable builder whose types carry each task's
 * output to the tasks that depend on it. `ctx.deps.extract` has the type
 * `extract` returned; depending on a task not added before, reading a
 * dependency not declared, or reusing a name fails to compile (and, for
 * untyped callers, throws).
 */
import { describe } from "../model/issues.js";
import type { TaskContext, TaskDefinitionInput, WorkflowDefinitionInput } from "../types.js";
import {
  checkOptionKeys,
  defineTask,
  defineWorkflow,
  invalid,
  TASK_OPTION_KEYS,
  WORKFLOW_OPTION_KEYS,
} from "./define.js";
import type { BuilderOptions, BuilderTaskOptions } from "./types.js";

const BUILDER_TASK_KEYS = TASK_OPTION_KEYS.filter((key) => key !== "name");
const BUILDER_KEYS = WORKFLOW_OPTION_KEYS.filter((key) => key !== "name" && key !== "sequential");

/** No dependencies: `ctx.deps` has no keys. */
type NoDeps = Record<never, never>;

/** `TName`, unless a task of that name was already added (then nothing fits). */
type NewTaskName<TName extends string, TOutputs> = TName extends keyof TOutputs ? never : TName;

/** Flattens intersections so editors show `{ extract: number[] }`, not a chain of aliases. */
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/**
 * Starts a typed workflow. `TInput` types `ctx.input` in every handler.
 *
 * ```ts
 * const etl = workflowBuilder<{ day: string }>("etl")
 *   .task("extract", async () => [1, 2, 3])
 *   .task("transform", { dependsOn: ["extract"] }, async (ctx) => ctx.deps.extract.map((n) => n * 2))
 *   .build();
 * ```
 */
export function workflowBuilder<TInput = unknown>(
  name: string,
  options: BuilderOptions = {},
): WorkflowBuilder<TInput> {
  const where = `workflowBuilder(${JSON.stringify(name)})`;
  if (typeof name !== "string" || name === "") {
    throw invalid("workflowBuilder()", [
      { path: "name", message: `expected a non-empty string, received ${describe(name)}` },
    ]);
  }
  checkOptionKeys(where, options, BUILDER_KEYS);
  return new WorkflowBuilder<TInput>(name, options, []);
}

/**
 * An immutable builder: every `task()` returns a new builder, so a shared
 * prefix can be extended in two ways without the branches seeing each other.
 * `TOutputs` maps each task added so far to its output type.
 */
export class WorkflowBuilder<TInput = unknown, TOutputs extends Record<string, unknown> = NoDeps> {
  /** @internal Use {@link workflowBuilder}. */
  constructor(
    private readonly name: string,
    private readonly options: BuilderOptions,
    private readonly tasks: readonly TaskDefinitionInput[],
  ) {}

  /** Adds a task with no dependencies: it starts as soon as the run does. */
  task<const TName extends string, TOutput>(
    name: NewTaskName<TName, TOutputs>,
    handler: (ctx: TaskContext<TInput, NoDeps>) => TOutput,
  ): WorkflowBuilder<TInput, Simplify<TOutputs & { [K in TName]: Awaited<TOutput> }>>;
  /**
   * Adds a task with options. `dependsOn` names tasks added before; their
   * outputs arrive typed in `ctx.deps`, and only theirs.
   */
  task<const TName extends string, const TDeps extends readonly (keyof TOutputs & string)[], TOutput>(
    name: NewTaskName<TName, TOutputs>,
    options: BuilderTaskOptions<TDeps>,
    handler: (ctx: TaskContext<TInput, Simplify<Pick<TOutputs, TDeps[number]>>>) => TOutput,
  ): WorkflowBuilder<TInput, Simplify<TOutputs & { [K in TName]: Awaited<TOutput> }>>;
  task(name: string, ...rest: unknown[]): WorkflowBuilder<TInput, Record<string, unknown>> {
    const [options, handler] = rest.length === 1 ? [{}, rest[0]] : rest;
    const where = `workflowBuilder(${JSON.stringify(this.name)}).task(${JSON.stringify(name)})`;
    checkOptionKeys(where, options, BUILDER_TASK_KEYS);
    if (typeof handler !== "function") {
      throw invalid(where, [
        { path: "handler", message: `expected a function, received ${describe(handler)}` },
      ]);
    }
    const first = this.tasks.findIndex((task) => task.name === name);
    if (first !== -1) {
      throw invalid(where, [
        { path: "name", message: `duplicate task "${name}" (added as task ${first + 1})` },
      ]);
    }
    const taskOptions = options as BuilderTaskOptions;
    (taskOptions.dependsOn ?? []).forEach((dep, i) => {
      if (typeof dep === "string" && !this.tasks.some((task) => task.name === dep)) {
        throw invalid(where, [
          {
            path: `dependsOn[${i}]`,
            message: `unknown task "${dep}" (a task can depend only on tasks added before it)`,
          },
        ]);
      }
    });
    const definition = defineTask(where, name, handler, taskOptions);
    return new WorkflowBuilder(this.name, this.options, [...this.tasks, definition]);
  }

  /** The validated definition; register it with `fm.register()`. */
  build(): WorkflowDefinitionInput {
    // Dependencies are always explicit here: a task without dependsOn starts at once.
    return defineWorkflow({ ...this.options, name: this.name, sequential: false }, this.tasks);
  }
}
