/**
 * Types of the code authoring styles: `task()` / `workflow()` functions,
 * `@task` / `@workflow` decorators, the `Workflow` / `Task` classes and the
 * typed `workflowBuilder`. Every style produces a {@link WorkflowDefinitionInput}.
 */
import type { Duration } from "../duration.js";
import type {
  RetryPolicyInput,
  TaskContext,
  TaskDefinitionInput,
  WorkflowDefinitionInput,
} from "../types.js";
import type { Task } from "./task-class.js";

/** A dependency: a task name, or a task made with `task()` or `new Task()`. */
export type TaskReference = string | AnyTaskFunction | Task;

/** Options of `task()` and `@task()`. Durations follow the one rule: a number is seconds. */
export interface TaskOptions {
  /** The task's name in workflows. @default the function's (or method's) name */
  name?: string;
  description?: string;
  /** Per-attempt timeout: `30` is 30 s, `"250ms"` and `"5m"` carry their unit. */
  timeout?: Duration;
  /** A retry policy, or just the number of retries. */
  retry?: RetryPolicyInput | number;
  /** Retries after the first attempt: shorthand for `retry: { maxRetries }`. Give it or a count in `retry`, not both. */
  retryCount?: number;
  /** Higher runs first among ready tasks. @default 0 */
  priority?: number;
  /** Tasks whose success this one waits for; their outputs arrive in `ctx.deps` by name. */
  dependsOn?: readonly TaskReference[];
  /** Named policies provided by plugins (e.g. a circuit breaker). */
  policies?: readonly string[];
}

/** Options of `workflow()`, `new Workflow()` and `@workflow()`. */
export interface WorkflowOptions {
  name: string;
  /** @default "1" */
  version?: string | number;
  description?: string;
  /** Applied to every task that does not set its own. */
  defaults?: WorkflowDefinitionInput["defaults"];
  /** Whole-run timeout. */
  timeout?: Duration;
  /**
   * Make each task depend on the one listed before it. By default a list in
   * which no task declares `dependsOn` runs as a sequence, and otherwise the
   * declared dependencies decide (`false` runs such a list in parallel).
   * `true` with any `dependsOn` declared is an error.
   * @default true when no task declares dependsOn
   */
  sequential?: boolean;
}

/** Options of `@workflow()`: the name defaults to the class name. */
export type ClassWorkflowOptions = Omit<WorkflowOptions, "name"> & {
  /** @default the class name */
  name?: string;
};

/**
 * What `task()` returns: the function, still callable (always returning a
 * promise), carrying the task it stands for.
 */
export interface TaskFunction<TOutput = unknown, TInput = unknown, TDeps = Record<string, unknown>> {
  (ctx: TaskContext<TInput, TDeps>): Promise<TOutput>;
  /** The task's name in workflows. */
  readonly taskName: string;
  /** The task definition (its handler is the wrapped function). */
  readonly definition: Readonly<TaskDefinitionInput>;
}

/** Any task function, whatever its context is typed as (`never` accepts every typed `ctx`). */
type AnyTaskFunction = TaskFunction<unknown, never, never>;

/** The output type of a task function or handler: `TaskOutput<typeof trainModel>`. */
export type TaskOutput<T> = T extends (...args: never) => infer R ? Awaited<R> : never;

/** A handler as authors write it: typed input and dependencies, sync or async. */
export type AuthoredHandler<TOutput = unknown, TInput = unknown, TDeps = Record<string, unknown>> = (
  ctx: TaskContext<TInput, TDeps>,
) => TOutput | Promise<TOutput>;

/** What a workflow's task list may hold: task functions, `Task`s, plain definitions, or named functions. */
export type TaskLike = AnyTaskFunction | TaskDefinitionInput | AuthoredHandler<unknown, never, never>;

/** Options of `new Task()`: the brief's `func` is the handler. */
export interface TaskConfig<
  TOutput = unknown,
  TInput = unknown,
  TDeps = Record<string, unknown>,
> extends TaskOptions {
  /**
   * The function to run, or a handler reference resolved through the
   * `resolveHandler` hook. @default the task name, as a reference
   */
  func?: AuthoredHandler<TOutput, TInput, TDeps> | string;
}

/** Options of `new Workflow()`. */
export interface WorkflowConfig extends WorkflowOptions {
  tasks: readonly TaskLike[];
}

/** Options of one `workflowBuilder().task()` call: dependencies are names of tasks added before. */
export type BuilderTaskOptions<TDeps extends readonly string[] = readonly string[]> = Omit<
  TaskOptions,
  "name" | "dependsOn"
> & {
  /** Names of tasks added earlier; their outputs arrive typed in `ctx.deps`. */
  dependsOn?: TDeps;
};

/** Options of `workflowBuilder()`. Dependencies are always explicit in the builder. */
export type BuilderOptions = Omit<WorkflowOptions, "name" | "sequential">;

/**
 * `@task({...})` on a class method whose only parameter is the task context
 * (annotate it to type `ctx.input` and `ctx.deps`).
 */
export type TaskMethodDecorator = <
  This,
  TMethod extends (this: This, ctx: TaskContext<never, never>) => unknown,
>(
  method: TMethod,
  context: ClassMethodDecoratorContext<This, TMethod>,
) => void;

/** `@workflow({ name })` on a class with `@task` methods. */
export type WorkflowClassDecorator = <TClass extends abstract new (...args: never[]) => object>(
  value: TClass,
  context: ClassDecoratorContext<TClass>,
) => void;
