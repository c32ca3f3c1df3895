/**
 * The JSON Schema of workflow files, generated from the one zod schema so it
 * cannot drift, then shaped for editors: handlers as strings (functions do not
 * travel in files), durations with their pattern, shared parts in `$defs`, and
 * a description on every key for completion and hover.
 * `packages/core/schema/workflow.schema.json` is this, written by
 * `pnpm --filter @flowmesh/core schema`; a test keeps the two equal.
 */
import { z } from "zod";
import { MAX_DURATION_MS } from "../duration.js";
import { FlowMeshError } from "../errors.js";
import { workflowDefinitionSchema } from "../model/schema.js";

/** A JSON Schema document. */
export type JsonSchema = Record<string, unknown>;

/** The pattern of a duration string (`"250ms"`, `"5m"`, `"30"`); `tryParseDuration` reads the same. */
export const DURATION_PATTERN = "^\\s*(\\d+(?:\\.\\d+)?|\\.\\d+)\\s*(ms|s|m|h|d)?\\s*$";

const DURATION_RULE =
  'a number is seconds (3600 is an hour); a string carries its unit: "250ms", "30s", "5m", "2h", "1d"';

const WORKFLOW_DOCS: Record<string, string> = {
  $schema: "The JSON Schema this file follows, for editors. Ignored by FlowMesh.",
  name: "The workflow's name: runs are started by it.",
  version: 'The version, default "1". Runs use the latest registered version unless told otherwise.',
  description: "What the workflow does.",
  namespace:
    'The tenant the workflow and its runs belong to, default "default": API principals see only their namespaces.',
  tasks: "The tasks, at least one. A task starts when every task it depends on succeeded.",
  defaults: "Timeout, retry policy and priority for every task that does not set its own.",
  timeout: `Whole-run timeout: the run ends timed_out and running tasks are aborted. ${cap(DURATION_RULE)}.`,
  timeoutMs: "Whole-run timeout in milliseconds (the normalized spelling; prefer timeout).",
};

const TASK_DOCS: Record<string, string> = {
  name: 'Unique in the workflow: letters, digits, "_", "." and "-".',
  handler:
    'What runs the task: a name registered in code (handlers({ name: fn })) or a module, "./tasks/s3.js#extract" (named export) or "./tasks/load.js" (default export), relative to this file. Default: the task\'s name.',
  dependsOn: "Tasks whose success this one waits for; their outputs arrive as ctx.deps.",
  depends_on: "Tasks whose success this one waits for; their outputs arrive as ctx.deps.",
  timeout: `Timeout of each attempt. ${cap(DURATION_RULE)}.`,
  timeoutMs: "Timeout of each attempt in milliseconds (the normalized spelling; prefer timeout).",
  retry: "The number of retries, or a retry policy.",
  retryCount: "Retries after the first attempt (shorthand for retry.maxRetries).",
  retry_count: "Retries after the first attempt (shorthand for retry.max_retries).",
  priority: "Among ready tasks, higher runs first. Default 0.",
  policies: "Named policies provided by plugins (a circuit breaker, a rate limiter).",
  description: "What the task does.",
};

const DEFAULTS_DOCS: Record<string, string> = {
  timeout: `Timeout of each attempt of every task that does not set its own. ${cap(DURATION_RULE)}.`,
  timeoutMs: "Default attempt timeout in milliseconds (the normalized spelling; prefer timeout).",
  retry: "The number of retries, or a retry policy, for every task that does not set its own.",
  retryCount: "Default number of retries after the first attempt.",
  retry_count: "Default number of retries after the first attempt.",
  priority: "Default priority. Default 0.",
};

const RETRY_DOCS: Record<string, string> = {
  maxRetries: "Retries after the first attempt. Default 0.",
  max_retries: "Retries after the first attempt. Default 0.",
  baseDelay: `Delay before the first retry, default 0.1 (100 ms). ${cap(DURATION_RULE)}.`,
  base_delay: `Delay before the first retry, default 0.1 (100 ms). ${cap(DURATION_RULE)}.`,
  baseDelayMs: "Delay before the first retry in milliseconds (the normalized spelling; prefer baseDelay).",
  exponentialBase: "Growth of the delay per retry: baseDelay × exponentialBase^(retry − 1). Default 2.",
  exponential_base: "Growth of the delay per retry: base_delay × exponential_base^(retry − 1). Default 2.",
  maxDelay: `Upper bound of one delay, default 60 (a minute). ${cap(DURATION_RULE)}.`,
  max_delay: `Upper bound of one delay, default 60 (a minute). ${cap(DURATION_RULE)}.`,
  maxDelayMs: "Upper bound of one delay in milliseconds (the normalized spelling; prefer maxDelay).",
  jitter: "Full jitter: each delay is drawn uniformly between 0 and the computed delay. Default true.",
};

/** The JSON Schema (draft 2020-12) of a workflow file, in YAML or JSON. */
export function workflowJsonSchema(): JsonSchema {
  const generated = z.toJSONSchema(workflowDefinitionSchema, {
    target: "draft-2020-12",
    io: "input",
    // The handler may be a function in code; files hold strings, set below.
    unrepresentable: "any",
  }) as JsonSchema;
  const root = generated as SchemaObject;
  const tasks = root.properties.tasks as SchemaObject & { items: SchemaObject };
  const task = tasks.items;
  const defaults = root.properties.defaults as SchemaObject;
  const retryPolicy = retryObject(task);

  task.properties.handler = { type: "string", minLength: 1 };
  for (const where of [root, task, defaults, retryPolicy]) useDurationRefs(where);
  for (const where of [task, defaults]) {
    where.properties.retry = { anyOf: [retryCountOf(where), { $ref: "#/$defs/retryPolicy" }] };
  }
  root.properties = { $schema: { type: "string" }, ...root.properties };
  root.properties.tasks = { ...tasks, items: { $ref: "#/$defs/task" } };

  describeKeys(root, WORKFLOW_DOCS);
  describeKeys(task, TASK_DOCS);
  describeKeys(defaults, DEFAULTS_DOCS);
  describeKeys(retryPolicy, RETRY_DOCS);

  const { $schema, ...rest } = generated;
  return {
    $schema,
    title: "FlowMesh workflow",
    description: `A FlowMesh workflow definition (YAML or JSON). Keys may be snake_case or camelCase. Durations: ${DURATION_RULE}.`,
    ...rest,
    $defs: {
      task: { ...task, description: "A task: a handler, its dependencies, its timeout and retry policy." },
      retryPolicy: { ...retryPolicy, description: "A retry policy with exponential backoff and jitter." },
      duration: durationSchema(0, false),
      timeout: durationSchema(0, true),
    },
  };
}

// ---------------------------------------------------------------- private helpers

interface SchemaObject {
  properties: Record<string, JsonSchema>;
  [key: string]: unknown;
}

/** The object branch of a task's `retry` union (number of retries | policy). */
function retryObject(task: SchemaObject): SchemaObject {
  const branches = (task.properties.retry as { anyOf: JsonSchema[] }).anyOf;
  return branches.find((branch) => branch.type === "object") as SchemaObject;
}

function retryCountOf(where: SchemaObject): JsonSchema {
  const branches = (where.properties.retry as { anyOf: JsonSchema[] }).anyOf;
  return branches.find((branch) => branch.type === "integer")!;
}

/** Durations come out of zod as `number | string`; point them at the shared definitions. */
function useDurationRefs(where: SchemaObject): void {
  for (const [key, value] of Object.entries(where.properties)) {
    const type = value.type;
    if (Array.isArray(type) && type.length === 2 && type.includes("number") && type.includes("string")) {
      where.properties[key] = { $ref: key === "timeout" ? "#/$defs/timeout" : "#/$defs/duration" };
    }
  }
}

function durationSchema(min: number, exclusive: boolean): JsonSchema {
  return {
    description: `A ${exclusive ? "timeout, greater than 0" : "duration"}: ${DURATION_RULE}. At most 24.8 days.`,
    anyOf: [
      {
        type: "number",
        ...(exclusive ? { exclusiveMinimum: min } : { minimum: min }),
        maximum: MAX_DURATION_MS / 1000,
      },
      { type: "string", pattern: DURATION_PATTERN },
    ],
  };
}

function describeKeys(where: SchemaObject, docs: Record<string, string>): void {
  for (const [key, value] of Object.entries(where.properties)) {
    const description = docs[key];
    // A key without words fails the generator's test: every key an editor offers gets a description.
    if (description === undefined) {
      throw new FlowMeshError("FM_ERR_INVALID_STATE", `workflowJsonSchema: no description for "${key}"`);
    }
    where.properties[key] = { ...value, description };
  }
}

function cap(text: string): string {
  return text[0]!.toUpperCase() + text.slice(1);
}
