/**
 * `new Task({ name, func, ... })`: the brief's programmatic builder. A `Task`
 * is itself a {@link TaskDefinitionInput} (its own fields are exactly the
 * definition's), so it can go anywhere a definition can.
 */
import type { Duration } from "../duration.js";
import type { RetryPolicyInput, TaskDefinitionInput, TaskHandler } from "../types.js";
import {
  checkOptionKeys,
  copyTask,
  defineTask,
  freezeTask,
  functionName,
  invalid,
  rememberTask,
  TASK_OPTION_KEYS,
} from "./define.js";
import type { TaskConfig } from "./types.js";

const TASK_CONFIG_KEYS = [...TASK_OPTION_KEYS, "func"] as const;

/**
 * A task for `new Workflow({ tasks })`: `func` is the handler, `name` defaults
 * to the function's name, and the options are those of `task()`.
 *
 * ```ts
 * new Task({ name: "load", func: load, dependsOn: ["transform"], timeout: 30 });
 * ```
 */
export class Task<
  TOutput = unknown,
  TInput = unknown,
  TDeps = Record<string, unknown>,
> implements TaskDefinitionInput {
  // `declare`: only the fields that were given become own properties.
  declare readonly name: string;
  declare readonly handler?: TaskHandler | string;
  declare readonly dependsOn?: string[];
  declare readonly timeout?: Duration;
  declare readonly retry?: RetryPolicyInput | number;
  declare readonly priority?: number;
  declare readonly policies?: string[];
  declare readonly description?: string;

  constructor(config: TaskConfig<TOutput, TInput, TDeps>) {
    const given = (config as { name?: unknown } | null)?.name;
    const where = typeof given === "string" ? `new Task "${given}"` : "new Task()";
    checkOptionKeys(where, config, TASK_CONFIG_KEYS);
    const { func, ...options } = config;
    // `{ func: async () => ... }` names the arrow "func" after the property: that is no task name.
    const fnName = typeof func === "function" ? functionName(func) : undefined;
    const name = options.name ?? (fnName === "func" ? undefined : fnName);
    if (name === undefined) {
      throw invalid(where, [
        { path: "name", message: "required (it defaults to func's name, but func is missing or anonymous)" },
      ]);
    }
    const definition = freezeTask(defineTask(where, name, func, options));
    Object.assign(this, copyTask(definition));
    rememberTask(this, definition);
  }

  /** The handler, under the brief's name. */
  get func(): TaskHandler | string | undefined {
    return this.handler;
  }
}
