/**
 * TC39 (standard) decorators: `@task({...})` on methods, `@workflow({ name })`
 * on the class, and `workflowOf(ClassOrInstance)` to get the definition with
 * handlers bound to an instance.
 *
 * Node 20 has no `Symbol.metadata`, so nothing here relies on decorator
 * metadata: `@task` marks the method function itself (a WeakMap keyed by the
 * function), and `@workflow`, which runs after every member decorator of its
 * class, finds the marked methods on the prototype chain in declaration order.
 */
import type { TaskContext, TaskDefinitionInput, WorkflowDefinitionInput } from "../types.js";
import { describe } from "../model/issues.js";
import {
  checkOptionKeys,
  copyTask,
  defineTask,
  defineWorkflow,
  freezeTask,
  invalid,
  TASK_OPTION_KEYS,
  WORKFLOW_OPTION_KEYS,
} from "./define.js";
import type {
  ClassWorkflowOptions,
  TaskMethodDecorator,
  TaskOptions,
  WorkflowClassDecorator,
  WorkflowOptions,
} from "./types.js";

/** A method `@task` marked, and the task it stands for (its handler is the unbound method). */
const taskMethods = new WeakMap<object, Readonly<TaskDefinitionInput>>();

interface WorkflowClass {
  className: string;
  options: WorkflowOptions;
}

/** Classes `@workflow` decorated. */
const workflowClasses = new WeakMap<object, WorkflowClass>();

type AnyMethod = (this: unknown, ctx: TaskContext) => unknown;
type Constructor = abstract new (...args: never[]) => object;

/** `@task(options)`: use `task(options)`, which returns this decorator. */
export function taskMethod(options: unknown): TaskMethodDecorator {
  checkOptionKeys("@task()", options, TASK_OPTION_KEYS);
  const taskOptions = options as TaskOptions;
  return (method, context) => {
    const kind: string = context.kind;
    const member = `${context.static ? "static " : ""}${kind} ${describeKey(context.name)}`;
    const where = `@task on ${member}`;
    const refuse = (message: string) => invalid(where, [{ path: "", message }]);
    if (kind !== "method") throw refuse(`@task decorates methods, not a ${kind}`);
    if (context.static) {
      throw refuse(
        "a static method cannot be a task: tasks run on the instance workflowOf() creates or is given",
      );
    }
    if (context.private) throw refuse("a private (#) method cannot be a task: make it a regular method");
    const name = taskOptions.name ?? (typeof context.name === "string" ? context.name : undefined);
    if (name === undefined)
      throw refuse('a method named by a symbol needs a task name: @task({ name: "..." })');
    if (taskMethods.has(method)) throw refuse("the method has two @task decorators; keep one");
    taskMethods.set(method, freezeTask(defineTask(where, name, method, taskOptions)));
  };
}

/** `@workflow(options)`: use `workflow(options)`, which returns this decorator. */
export function workflowClass(options: unknown): WorkflowClassDecorator {
  checkOptionKeys("@workflow()", options, WORKFLOW_OPTION_KEYS);
  const classOptions = options as ClassWorkflowOptions;
  return (value, context) => {
    const kind: string = context.kind;
    const className = context.name ?? (value.name === "" ? undefined : value.name);
    const where = `@workflow on class ${className ?? "(anonymous)"}`;
    if (kind !== "class")
      throw invalid(where, [{ path: "", message: `@workflow decorates classes, not a ${kind}` }]);
    const name = classOptions.name ?? className;
    if (name === undefined) {
      throw invalid(where, [
        { path: "", message: 'an anonymous class needs a workflow name: @workflow({ name: "..." })' },
      ]);
    }
    const workflowOptions: WorkflowOptions = { ...classOptions, name };
    const methods = collectTaskMethods(value);
    if (methods.length === 0) {
      throw invalid(where, [{ path: "", message: "the class has no @task methods" }]);
    }
    // Validate now, with unbound handlers: a bad workflow class fails when its module loads.
    defineWorkflow(
      workflowOptions,
      methods.map(({ definition }) => copyTask(definition)),
      where,
    );
    workflowClasses.set(value, { className: className ?? name, options: workflowOptions });
  };
}

/**
 * The definition of a `@workflow` class, every `@task` method bound to one
 * instance: `target` itself, or `new target()` when given the class. Register
 * it like any other definition: `fm.register(workflowOf(MLPipeline))`.
 *
 * A method overridden in a subclass keeps its `@task` options and runs the
 * override; a subclass without its own `@workflow` uses its base class's.
 */
export function workflowOf(target: object): WorkflowDefinitionInput {
  const isClass = typeof target === "function";
  const cls: unknown = isClass
    ? target
    : (Object.getPrototypeOf(target) as { constructor?: unknown } | null)?.constructor;
  const label = typeof cls === "function" && cls.name !== "" ? cls.name : "(anonymous)";
  const where = `workflowOf(${isClass ? label : `instance of ${label}`})`;
  if ((typeof target !== "object" && !isClass) || target === null) {
    throw invalid("workflowOf()", [
      { path: "", message: `expected a @workflow class or an instance of one, received ${describe(target)}` },
    ]);
  }
  const found = typeof cls === "function" ? nearestWorkflowClass(cls) : undefined;
  if (found === undefined) {
    throw invalid(where, [
      { path: "", message: `class ${label} has no @workflow decorator (nor has any class it extends)` },
    ]);
  }
  let instance: object;
  if (isClass) {
    if (target.length > 0) {
      throw invalid(where, [
        {
          path: "",
          message: `the constructor of ${label} takes arguments: pass an instance, workflowOf(new ${label}(...))`,
        },
      ]);
    }
    instance = new (target as new () => object)();
  } else instance = target;
  const tasks = collectTaskMethods(cls as Constructor).map(({ key, definition }) => {
    const method: unknown = Reflect.get(instance, key);
    if (typeof method !== "function") {
      throw invalid(where, [
        {
          path: "",
          message: `task "${definition.name}": the instance's ${describeKey(key)} is not a method`,
        },
      ]);
    }
    return {
      ...copyTask(definition),
      handler: (ctx: TaskContext) => (method as AnyMethod).call(instance, ctx),
    };
  });
  return defineWorkflow(found.options, tasks, `@workflow on class ${found.className}`);
}

// ---------------------------------------------------------------- private helpers

/**
 * `@task` methods of a class and its bases: base-class methods first, each in
 * declaration order; for an overridden method, the most derived `@task` wins.
 */
function collectTaskMethods(
  cls: Constructor,
): { key: string | symbol; definition: Readonly<TaskDefinitionInput> }[] {
  const chain: object[] = [];
  for (
    let proto = cls.prototype as object | null;
    proto !== null && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto) as object | null
  ) {
    chain.unshift(proto);
  }
  const found = new Map<string | symbol, Readonly<TaskDefinitionInput>>();
  for (const proto of chain) {
    for (const key of Reflect.ownKeys(proto)) {
      const value = Object.getOwnPropertyDescriptor(proto, key)?.value as unknown;
      const definition = typeof value === "function" ? taskMethods.get(value) : undefined;
      // Re-setting an existing key keeps its first (base-class) position in the Map.
      if (definition !== undefined) found.set(key, definition);
    }
  }
  return [...found].map(([key, definition]) => ({ key, definition }));
}

function nearestWorkflowClass(cls: object): WorkflowClass | undefined {
  for (
    let at: object | null = cls;
    at !== null && at !== Function.prototype;
    at = Object.getPrototypeOf(at) as object | null
  ) {
    const found = workflowClasses.get(at);
    if (found !== undefined) return found;
  }
  return undefined;
}

function describeKey(key: string | symbol): string {
  return typeof key === "string" ? `"${key}"` : `[${key.toString()}]`;
}
