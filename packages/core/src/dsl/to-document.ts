/**
 * Turns a normalized definition back into what a person writes: durations in
 * seconds (the one rule), defaults left out, function handlers as their
 * reference (the task name), keys in snake_case or camelCase. The same form is
 * what `parseWorkflow` returns, so a file, its parsed definition and its
 * export all normalize to one definition.
 */
import { DEFAULT_NAMESPACE, DEFAULT_RETRY_POLICY } from "../model/schema.js";
import type {
  RetryPolicyInput,
  TaskDefinition,
  TaskDefinitionInput,
  WorkflowDefinition,
  WorkflowDefinitionInput,
} from "../types.js";
import type { KeyStyle } from "./types.js";

/**
 * The input form of a normalized definition: every handler a string reference
 * (a function becomes its task's name), every value that differs from the
 * default spelled out per task.
 */
export function inputOf(definition: WorkflowDefinition): WorkflowDefinitionInput {
  return {
    name: definition.name,
    ...(definition.version === "1" ? {} : { version: definition.version }),
    ...(definition.description === undefined ? {} : { description: definition.description }),
    ...(definition.namespace === DEFAULT_NAMESPACE ? {} : { namespace: definition.namespace }),
    ...(definition.timeoutMs === undefined ? {} : { timeout: seconds(definition.timeoutMs) }),
    tasks: definition.tasks.map(taskInput),
  };
}

/** A workflow file's content: the input form without default handler references, in the chosen key style. */
export function documentOf(definition: WorkflowDefinition, keys: KeyStyle): Record<string, unknown> {
  const input = inputOf(definition);
  const tasks = input.tasks.map(({ name, handler, ...task }) => {
    const withHandler: Record<string, unknown> =
      handler === name ? { name, ...task } : { name, handler, ...task };
    return keys === "camelCase" ? withHandler : snakeCaseTask(withHandler);
  });
  return { ...input, tasks };
}

// ---------------------------------------------------------------- private helpers

function taskInput(task: TaskDefinition): TaskDefinitionInput & { handler: string } {
  const retry = retryInput(task);
  return {
    name: task.name,
    handler: typeof task.handler === "string" ? task.handler : task.name,
    ...(task.description === undefined ? {} : { description: task.description }),
    ...(task.dependsOn.length === 0 ? {} : { dependsOn: [...task.dependsOn] }),
    ...(task.timeoutMs === undefined ? {} : { timeout: seconds(task.timeoutMs) }),
    ...(retry === undefined ? {} : { retry }),
    ...(task.priority === 0 ? {} : { priority: task.priority }),
    ...(task.policies.length === 0 ? {} : { policies: [...task.policies] }),
  };
}

/** The retry fields that differ from the default; a bare count when only the count does. */
function retryInput({ retry }: TaskDefinition): RetryPolicyInput | number | undefined {
  const base = DEFAULT_RETRY_POLICY;
  const policy: RetryPolicyInput = {
    ...(retry.maxRetries === base.maxRetries ? {} : { maxRetries: retry.maxRetries }),
    ...(retry.baseDelayMs === base.baseDelayMs ? {} : { baseDelay: seconds(retry.baseDelayMs) }),
    ...(retry.exponentialBase === base.exponentialBase ? {} : { exponentialBase: retry.exponentialBase }),
    ...(retry.maxDelayMs === base.maxDelayMs ? {} : { maxDelay: seconds(retry.maxDelayMs) }),
    ...(retry.jitter === base.jitter ? {} : { jitter: retry.jitter }),
  };
  const keys = Object.keys(policy);
  if (keys.length === 0) return undefined;
  return keys.length === 1 && policy.maxRetries !== undefined ? policy.maxRetries : policy;
}

const SNAKE_RETRY: Record<string, string> = {
  maxRetries: "max_retries",
  baseDelay: "base_delay",
  exponentialBase: "exponential_base",
  maxDelay: "max_delay",
};

/** `dependsOn` → `depends_on`, a bare retry count → `retry_count` (the brief's YAML), policy keys snake_case. */
function snakeCaseTask(task: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(task)) {
    if (key === "dependsOn") out.depends_on = value;
    else if (key === "retry" && typeof value === "number") out.retry_count = value;
    else if (key === "retry") {
      out.retry = Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [SNAKE_RETRY[k] ?? k, v]),
      );
    } else out[key] = value;
  }
  return out;
}

/** Milliseconds as seconds: a number is seconds everywhere a duration is written. */
function seconds(ms: number): number {
  return ms / 1000;
}
