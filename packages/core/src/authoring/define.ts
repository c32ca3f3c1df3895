/**
 * The one path every code authoring style takes to a definition: options are
 * checked where they are written (the error names the task and the option),
 * a task list becomes a {@link WorkflowDefinitionInput} (a plain list reads
 * as a sequence), and the result goes through the engine's own planner, so a
 * bad workflow fails where it is defined rather than when it is registered.
 */
import { FlowMeshError } from "../errors.js";
import type { DefinitionIssue } from "../model/issues.js";
import { collectIssues, defaultMessage, describe } from "../model/issues.js";
import { planWorkflow } from "../model/plan.js";
import { taskDefinitionSchema } from "../model/schema.js";
import type { RetryPolicyInput, TaskDefinitionInput, WorkflowDefinitionInput } from "../types.js";
import type { TaskOptions, WorkflowOptions } from "./types.js";

/** Keys of {@link TaskOptions}. */
export const TASK_OPTION_KEYS = [
  "name",
  "description",
  "timeout",
  "retry",
  "retryCount",
  "priority",
  "dependsOn",
  "policies",
] as const;

/** Keys of {@link WorkflowOptions}. */
export const WORKFLOW_OPTION_KEYS = [
  "name",
  "version",
  "description",
  "defaults",
  "timeout",
  "sequential",
] as const;

/** Tasks made by `task()` and `new Task()`: how list items and dependencies are recognised. */
const knownTasks = new WeakMap<object, Readonly<TaskDefinitionInput>>();

/** Marks `ref` as a task standing for `definition`. */
export function rememberTask(ref: object, definition: Readonly<TaskDefinitionInput>): void {
  knownTasks.set(ref, definition);
}

/** The definition a `task()` function or a `Task` stands for. */
export function knownTask(value: unknown): Readonly<TaskDefinitionInput> | undefined {
  return (typeof value === "function" || (typeof value === "object" && value !== null)) &&
    knownTasks.has(value)
    ? knownTasks.get(value)
    : undefined;
}

/**
 * Throws `FM_ERR_INVALID_DEFINITION` unless `value` is an object whose keys
 * are all in `allowed`: a misspelt option (`retries`) must not pass silently.
 */
export function checkOptionKeys(where: string, value: unknown, allowed: readonly string[]): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalid(where, [{ path: "", message: `expected an options object, received ${describe(value)}` }]);
  }
  const unknown = Object.keys(value).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw invalid(
      where,
      unknown.map((key) => ({
        path: "",
        message: `unknown option "${key}" (expected one of: ${allowed.join(", ")})`,
      })),
    );
  }
}

/** A function's name as a task name: `bound x` (from `.bind()`) is `x`; anonymous is `undefined`. */
export function functionName(fn: { name: string }): string | undefined {
  const name = fn.name.replace(/^bound /, "");
  return name === "" ? undefined : name;
}

/**
 * Checks a task's options and returns its definition: `dependsOn` resolved to
 * names, `retryCount` folded into `retry`, and only the keys that were given.
 * `where` starts every message (`task "extract"`, `@task on method "train"`).
 */
export function defineTask(
  where: string,
  name: string,
  handler: unknown,
  options: TaskOptions,
): TaskDefinitionInput {
  const issues: DefinitionIssue[] = [];
  const dependsOn = options.dependsOn === undefined ? undefined : dependencyNames(options.dependsOn, issues);
  const candidate = compact({
    name,
    handler,
    // Bad entries were reported above; leave them out so they are not reported twice.
    dependsOn: issues.length > 0 ? undefined : dependsOn,
    timeout: options.timeout,
    retry: options.retry,
    retryCount: options.retryCount,
    priority: options.priority,
    policies: options.policies === undefined ? undefined : [...options.policies],
    description: options.description,
  });
  const parsed = taskDefinitionSchema.safeParse(candidate, { error: defaultMessage });
  if (!parsed.success) issues.push(...collectIssues(parsed.error.issues));
  if (issues.length > 0) throw invalid(where, issues, { task: name });
  const { retryCount, retry, ...rest } = candidate as TaskDefinitionInput & { retryCount?: number };
  return compact({ ...rest, retry: mergeRetry(retry, retryCount) });
}

/**
 * Builds and validates a workflow from a task list. A list in which no task
 * declares `dependsOn` runs in list order unless `sequential: false`.
 * Planning errors (unknown dependency, duplicate name, cycle) are thrown as
 * the planner words them, prefixed by `context` when given.
 */
export function defineWorkflow(
  options: WorkflowOptions,
  items: readonly unknown[],
  context?: string,
): WorkflowDefinitionInput {
  const name = options.name;
  const subject = context ?? (typeof name === "string" ? `workflow ${JSON.stringify(name)}` : "workflow");
  if (!Array.isArray(items)) {
    throw invalid(subject, [
      { path: "tasks", message: `expected a list of tasks, received ${describe(items)}` },
    ]);
  }
  const issues: DefinitionIssue[] = [];
  const tasks = items.map((item, i) => toTaskDefinition(item, i, issues));
  if (issues.length > 0) throw invalid(subject, issues, { workflow: name });

  const declared = tasks.filter((task) => task.dependsOn !== undefined).map((task) => task.name);
  if (options.sequential === true && declared.length > 0) {
    throw invalid(subject, [
      {
        path: "sequential",
        message: `true chains the tasks in list order, but ${declared.map((n) => `"${n}"`).join(", ")} declare dependsOn; remove those or set sequential: false`,
      },
    ]);
  }
  const sequential = options.sequential ?? declared.length === 0;
  // With duplicate names a chain would add self-dependencies; leave them for the planner to report once.
  const unique = new Set(tasks.map((task) => task.name)).size === tasks.length;
  const chained =
    sequential && unique
      ? tasks.map((task, i) => (i === 0 ? task : { ...task, dependsOn: [tasks[i - 1]!.name] }))
      : tasks;
  const definition = compact({
    name,
    version: options.version,
    description: options.description,
    defaults: options.defaults,
    timeout: options.timeout,
    tasks: chained,
  }) as WorkflowDefinitionInput;
  try {
    planWorkflow(definition);
  } catch (error) {
    if (context === undefined || !(error instanceof FlowMeshError)) throw error;
    throw new FlowMeshError(error.code, `${context}: ${error.message.replace(/^\[flowmesh\] /, "")}`, {
      cause: error,
      ...(error.details === undefined ? {} : { details: error.details }),
    });
  }
  return definition;
}

/** Freezes a task definition and the lists and policy inside it: one definition may serve many workflows. */
export function freezeTask(definition: TaskDefinitionInput): Readonly<TaskDefinitionInput> {
  for (const value of [definition.dependsOn, definition.policies, definition.retry]) {
    if (typeof value === "object") Object.freeze(value);
  }
  return Object.freeze(definition);
}

/** A `FM_ERR_INVALID_DEFINITION` error: `<where>: <path>: <message>; ...`. */
export function invalid(
  where: string,
  issues: readonly DefinitionIssue[],
  details: Record<string, unknown> = {},
): FlowMeshError {
  const list = issues.map((issue) => (issue.path === "" ? issue.message : `${issue.path}: ${issue.message}`));
  return new FlowMeshError("FM_ERR_INVALID_DEFINITION", `${where}: ${list.join("; ")}`, {
    details: { ...details, issues: issues.map((issue) => ({ ...issue })) },
  });
}

// ---------------------------------------------------------------- private helpers

function dependencyNames(list: unknown, issues: DefinitionIssue[]): string[] | undefined {
  if (!Array.isArray(list)) {
    issues.push({ path: "dependsOn", message: `expected a list of tasks, received ${describe(list)}` });
    return undefined;
  }
  return list.map((entry: unknown, i) => {
    if (typeof entry === "string") return entry;
    const known = knownTask(entry);
    if (known !== undefined) return known.name;
    const received =
      typeof entry === "function"
        ? `function ${JSON.stringify(entry.name)} (wrap it with task())`
        : describe(entry);
    issues.push({
      path: `dependsOn[${i}]`,
      message: `expected a task name or a task made with task() or new Task(), received ${received}`,
    });
    return "";
  });
}

function toTaskDefinition(item: unknown, i: number, issues: DefinitionIssue[]): TaskDefinitionInput {
  const known = knownTask(item);
  if (known !== undefined) return copyTask(known);
  if (typeof item === "function") {
    // A plain named function is a task with default options, as if wrapped in task().
    const name = functionName(item);
    if (name !== undefined) return { name, handler: item as TaskDefinitionInput["handler"] };
    issues.push({
      path: `tasks[${i}]`,
      message: 'an anonymous function has no task name; wrap it: task({ name: "..." }, fn)',
    });
  } else if (typeof item === "object" && item !== null && !Array.isArray(item)) {
    // A plain definition object: the planner checks its fields, with this path.
    return { ...(item as TaskDefinitionInput) };
  } else {
    issues.push({
      path: `tasks[${i}]`,
      message: `expected a task (task(), new Task() or a definition object), received ${describe(item)}`,
    });
  }
  return { name: "" };
}

/** A fresh copy of a (frozen) task definition, safe for the caller to change. */
export function copyTask(definition: Readonly<TaskDefinitionInput>): TaskDefinitionInput {
  const copy: TaskDefinitionInput = { ...definition };
  if (definition.dependsOn !== undefined) copy.dependsOn = [...definition.dependsOn];
  if (definition.policies !== undefined) copy.policies = [...definition.policies];
  if (typeof definition.retry === "object") copy.retry = { ...definition.retry };
  return copy;
}

function mergeRetry(
  retry: RetryPolicyInput | number | undefined,
  retryCount: number | undefined,
): RetryPolicyInput | number | undefined {
  if (retryCount === undefined) return typeof retry === "object" ? { ...retry } : retry;
  // The schema refused a count given twice, so an object here has no maxRetries of its own.
  return typeof retry === "object" ? { ...retry, maxRetries: retryCount } : retryCount;
}

/** Drops keys whose value is `undefined`, so definitions hold only what was given. */
function compact<T extends Record<string, unknown>>(value: T): T {
  for (const key of Object.keys(value)) if (value[key] === undefined) delete value[key];
  return value;
}
