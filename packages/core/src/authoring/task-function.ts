/**
 * `task()`: the function style of the brief's `@task(timeout=30.0)`. It wraps
 * an async function as a task (named after the function unless told
 * otherwise) that stays callable; with options alone it is the `@task`
 * decorator for class methods.
 */
import type { TaskDefinitionInput, TaskHandler } from "../types.js";
import { taskMethod } from "./decorators.js";
import {
  checkOptionKeys,
  defineTask,
  freezeTask,
  functionName,
  invalid,
  rememberTask,
  TASK_OPTION_KEYS,
} from "./define.js";
import type { AuthoredHandler, TaskFunction, TaskMethodDecorator, TaskOptions } from "./types.js";

/**
 * Wraps a named function as a task with default options.
 *
 * ```ts
 * const extract = task(async function extract() { return [1, 2, 3]; });
 * ```
 */
export function task<TOutput, TInput = unknown, TDeps = Record<string, unknown>>(
  fn: AuthoredHandler<TOutput, TInput, TDeps>,
): TaskFunction<Awaited<TOutput>, TInput, TDeps>;
/**
 * Wraps a function as a task: `timeout`, `retryCount` / `retry`, `priority`,
 * `dependsOn` (names or tasks), `policies`, `description`, and `name`
 * (default: the function's name).
 *
 * ```ts
 * const load = task({ timeout: 30, retryCount: 3, dependsOn: [transform] }, async function load(ctx) { ... });
 * ```
 */
export function task<TOutput, TInput = unknown, TDeps = Record<string, unknown>>(
  options: TaskOptions,
  fn: AuthoredHandler<TOutput, TInput, TDeps>,
): TaskFunction<Awaited<TOutput>, TInput, TDeps>;
/**
 * The `@task({...})` decorator for methods of a `@workflow` class (TC39
 * decorators; no `experimentalDecorators`). The method name is the task name
 * unless `name` is given.
 */
export function task(options?: TaskOptions): TaskMethodDecorator;
export function task(...args: unknown[]): TaskFunction | TaskMethodDecorator {
  if (args.length <= 1 && typeof args[0] !== "function") return taskMethod(args[0] ?? {});
  const [options, fn] = args.length === 1 ? [{}, args[0]] : args;
  const fnName = typeof fn === "function" ? functionName(fn) : undefined;
  const given = (options as { name?: unknown } | null)?.name;
  const where =
    typeof given === "string" ? `task "${given}"` : fnName === undefined ? "task()" : `task "${fnName}"`;
  checkOptionKeys(where, options, TASK_OPTION_KEYS);
  if (typeof fn !== "function") {
    throw invalid(where, [{ path: "", message: `expected a function to wrap, received ${typeof fn}` }]);
  }
  const name = (options as TaskOptions).name ?? fnName;
  if (name === undefined) {
    throw invalid(where, [
      {
        path: "",
        message:
          'the function is anonymous, so the task has no name: pass { name: "..." } or a named function (async function extract() {...})',
      },
    ]);
  }
  const handler = fn as TaskHandler;
  const definition = freezeTask(defineTask(where, name, handler, options as TaskOptions));
  return wrap(handler, name, definition);
}

// ---------------------------------------------------------------- private helpers

function wrap(handler: TaskHandler, name: string, definition: Readonly<TaskDefinitionInput>): TaskFunction {
  const wrapped = async function (this: unknown, ctx: Parameters<TaskHandler>[0]) {
    return handler.call(this, ctx);
  };
  Object.defineProperties(wrapped, {
    name: { value: name },
    taskName: { value: name, enumerable: true },
    definition: { value: definition, enumerable: true },
  });
  rememberTask(wrapped, definition);
  return wrapped as unknown as TaskFunction;
}
