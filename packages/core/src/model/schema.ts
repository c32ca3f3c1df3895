/**
 * The one zod schema every authoring style's output goes through (builder,
 * functions, YAML/JSON DSL), and `normalizeWorkflow`, which turns a valid
 * input into the {@link WorkflowDefinition} core works with.
 *
 * YAML users write snake_case (`depends_on`, `retry_count`, `base_delay`), so
 * both spellings are accepted; giving both is an error. The normalized
 * millisecond fields (`timeoutMs`, `baseDelayMs`, `maxDelayMs`) are accepted
 * too, so a normalized definition is itself valid input and normalizing twice
 * is harmless.
 */
import { z } from "zod";
import type { Duration } from "../duration.js";
import { MAX_DURATION_MS, tryParseDuration } from "../duration.js";
import { FlowMeshError } from "../errors.js";
import { collectIssues, defaultMessage, describe, invalidDefinition } from "./issues.js";
import type {
  RetryPolicy,
  TaskDefinition,
  TaskHandler,
  WorkflowDefinition,
  WorkflowDefinitionInput,
} from "../types.js";

/** The retry policy a task gets when neither it nor the workflow's `defaults` say otherwise. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxRetries: 0,
  baseDelayMs: 100,
  exponentialBase: 2,
  maxDelayMs: 60_000,
  jitter: true,
});

const TASK_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

// ---------------------------------------------------------------- field schemas

const durationSchema = (what: "duration" | "timeout") =>
  z
    .union([z.number(), z.string()], { error: (iss) => durationError(iss.input) })
    .superRefine((value, ctx) => {
      const parsed = tryParseDuration(value);
      if ("error" in parsed) ctx.addIssue({ code: "custom", message: parsed.error });
      // A zero timeout would fail every attempt at once; it is always a mistake.
      else if (what === "timeout" && parsed.ms <= 0) {
        ctx.addIssue({
          code: "custom",
          message: `expected a timeout greater than 0, received ${JSON.stringify(value)}`,
        });
      }
    });

const duration = durationSchema("duration");
const timeout = durationSchema("timeout");
const timeoutMs = z.number().positive().max(MAX_DURATION_MS);
const delayMs = z.number().min(0).max(MAX_DURATION_MS);
const retryCount = z.int().min(0);
const exponentialBase = z.number().min(1);
const nonEmptyString = z.string().min(1);
const taskName = z
  .string()
  .max(128)
  .regex(TASK_NAME, {
    error: (iss) =>
      `expected letters, digits, "_", "." or "-", not starting with "." or "-", received ${describe(iss.input)}`,
  });
const handler = z.union([z.custom<TaskHandler>((value) => typeof value === "function"), nonEmptyString], {
  error: (iss) => `expected a function or a non-empty handler reference, received ${describe(iss.input)}`,
});
const dependencyList = z.array(nonEmptyString);

// ---------------------------------------------------------------- object schemas

/** A retry policy object, in camelCase or snake_case. */
export const retryPolicySchema = strictWithAliases(
  {
    maxRetries: retryCount.optional(),
    max_retries: retryCount.optional(),
    baseDelay: duration.optional(),
    base_delay: duration.optional(),
    baseDelayMs: delayMs.optional(),
    exponentialBase: exponentialBase.optional(),
    exponential_base: exponentialBase.optional(),
    maxDelay: duration.optional(),
    max_delay: duration.optional(),
    maxDelayMs: delayMs.optional(),
    jitter: z.boolean().optional(),
  },
  [
    ["maxRetries", "max_retries"],
    ["baseDelay", "base_delay", "baseDelayMs"],
    ["exponentialBase", "exponential_base"],
    ["maxDelay", "max_delay", "maxDelayMs"],
  ],
);

const retry = z.union([retryCount, retryPolicySchema], {
  error: (iss) => `expected a number of retries or a retry policy object, received ${describe(iss.input)}`,
});

const TASK_ALIASES = [
  ["dependsOn", "depends_on"],
  ["timeout", "timeoutMs"],
  ["retryCount", "retry_count"],
] as const;

/** A task as users write it. */
export const taskDefinitionSchema = strictWithAliases(
  {
    name: taskName,
    handler: handler.optional(),
    dependsOn: dependencyList.optional(),
    depends_on: dependencyList.optional(),
    timeout: timeout.optional(),
    timeoutMs: timeoutMs.optional(),
    retry: retry.optional(),
    retryCount: retryCount.optional(),
    retry_count: retryCount.optional(),
    priority: z.int().optional(),
    policies: z.array(nonEmptyString).optional(),
    description: z.string().optional(),
  },
  TASK_ALIASES,
).superRefine(
  (task, ctx) => {
    const raw = task as Record<string, unknown>;
    checkRetryCountConflict(raw, ctx);
    // Listing a dependency twice is harmless to run but almost always a typo for another task.
    const depsKey = raw.depends_on !== undefined ? "depends_on" : "dependsOn";
    const deps = raw[depsKey];
    if (!Array.isArray(deps)) return;
    deps.forEach((dep: unknown, i) => {
      if (typeof dep === "string" && deps.indexOf(dep) < i) {
        ctx.addIssue({ code: "custom", path: [depsKey, i], message: `dependency "${dep}" is listed twice` });
      }
    });
  },
  { when: isObjectPayload },
);

const defaultsSchema = strictWithAliases(
  {
    timeout: timeout.optional(),
    timeoutMs: timeoutMs.optional(),
    retry: retry.optional(),
    retryCount: retryCount.optional(),
    retry_count: retryCount.optional(),
    priority: z.int().optional(),
  },
  [
    ["timeout", "timeoutMs"],
    ["retryCount", "retry_count"],
  ],
).superRefine((defaults, ctx) => checkRetryCountConflict(defaults, ctx), {
  when: isObjectPayload,
});

/** The namespace of workflows that do not set one. */
export const DEFAULT_NAMESPACE = "default";

/** A workflow as users write it: the input schema the HTTP server documents (handlers cannot travel as JSON). */
export const workflowDefinitionSchema = strictWithAliases(
  {
    name: z.string().min(1).max(200),
    version: z
      .union([nonEmptyString, z.number()], {
        error: (iss) => `expected a version string or number, received ${describe(iss.input)}`,
      })
      .optional(),
    description: z.string().optional(),
    namespace: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,100}$/, {
        error: "a namespace is 1 to 100 letters, digits, '_', '-' or '.'",
      })
      .optional(),
    tasks: z.array(taskDefinitionSchema).min(1, { error: "a workflow needs at least one task" }),
    defaults: defaultsSchema.optional(),
    timeout: timeout.optional(),
    timeoutMs: timeoutMs.optional(),
  },
  [["timeout", "timeoutMs"]],
);

// Both shapes must stay valid input: a compile error here means the schema drifted from types.ts.
type SchemaInput = z.input<typeof workflowDefinitionSchema>;
const _acceptsInput: WorkflowDefinitionInput extends SchemaInput ? true : false = true;
const _acceptsNormalized: WorkflowDefinition extends SchemaInput ? true : false = true;

// ---------------------------------------------------------------- normalize

/**
 * Validates a workflow definition (any authoring style's output, or an
 * already normalized definition) and returns its normalized form: durations
 * in milliseconds, retry policies complete, workflow `defaults` applied
 * (a task's retry fields override the defaults' field by field, so
 * `retry: 3` keeps a default `baseDelay`).
 * Throws `FM_ERR_INVALID_DEFINITION` listing every issue with its path.
 */
export function normalizeWorkflow(input: unknown): WorkflowDefinition {
  const result = workflowDefinitionSchema.safeParse(input, { error: defaultMessage });
  if (!result.success) throw invalidDefinition(workflowNameOf(input), collectIssues(result.error.issues));
  const def = result.data;
  const defaults = def.defaults ?? {};
  const defaultRetry = retryLayer(defaults.retry, defaults.retryCount ?? defaults.retry_count);
  return {
    name: def.name,
    version: String(def.version ?? "1"),
    description: def.description,
    namespace: def.namespace ?? DEFAULT_NAMESPACE,
    timeoutMs: def.timeoutMs ?? toMs(def.timeout),
    tasks: def.tasks.map((task): TaskDefinition => ({
      name: task.name,
      handler: task.handler ?? task.name,
      dependsOn: [...(task.dependsOn ?? task.depends_on ?? [])],
      timeoutMs: task.timeoutMs ?? toMs(task.timeout) ?? defaults.timeoutMs ?? toMs(defaults.timeout),
      retry: {
        ...DEFAULT_RETRY_POLICY,
        ...defaultRetry,
        ...retryLayer(task.retry, task.retryCount ?? task.retry_count),
      },
      priority: task.priority ?? defaults.priority ?? 0,
      policies: [...(task.policies ?? [])],
      description: task.description,
    })),
  };
}

// ---------------------------------------------------------------- private helpers

type RetryInput = z.output<typeof retryPolicySchema> | number | undefined;

/** The retry fields one level (defaults or task) sets; unset fields stay absent so spreads layer correctly. */
function retryLayer(retry: RetryInput, count: number | undefined): Partial<RetryPolicy> {
  const layer: Partial<RetryPolicy> = {};
  const set = <K extends keyof RetryPolicy>(key: K, value: RetryPolicy[K] | undefined) => {
    if (value !== undefined) layer[key] = value;
  };
  if (typeof retry === "number") set("maxRetries", retry);
  else if (retry !== undefined) {
    set("maxRetries", retry.maxRetries ?? retry.max_retries);
    set("baseDelayMs", retry.baseDelayMs ?? toMs(retry.baseDelay ?? retry.base_delay));
    set("exponentialBase", retry.exponentialBase ?? retry.exponential_base);
    set("maxDelayMs", retry.maxDelayMs ?? toMs(retry.maxDelay ?? retry.max_delay));
    set("jitter", retry.jitter);
  }
  set("maxRetries", count ?? layer.maxRetries);
  return layer;
}

function toMs(value: Duration | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = tryParseDuration(value);
  // Unreachable after validation; kept so a schema bug cannot turn into NaN timeouts.
  if ("error" in parsed) throw new FlowMeshError("FM_ERR_INVALID_DEFINITION", parsed.error);
  return parsed.ms;
}

type ShapeKeys<S> = readonly (readonly (keyof S & string)[])[];

/** A strict object whose unknown keys name the allowed ones, and where two spellings of one field are an error. */
function strictWithAliases<S extends z.core.$ZodLooseShape>(shape: S, aliases: ShapeKeys<S>) {
  const allowed = Object.keys(shape).join(", ");
  return z
    .strictObject(shape, {
      error: (iss) =>
        iss.code === "unrecognized_keys" ? `unknown key (expected one of: ${allowed})` : undefined,
    })
    .superRefine(
      (value, ctx) => {
        const raw = value as Record<string, unknown>;
        for (const group of aliases) {
          const given = group.filter((key) => raw[key] !== undefined);
          if (given.length < 2) continue;
          ctx.addIssue({
            code: "custom",
            path: [given[1]!],
            message: `${given.map((key) => `"${key}"`).join(" and ")} are the same setting; give only one`,
          });
        }
      },
      // Run even when fields failed, so a conflict is reported along with every other issue.
      { when: isObjectPayload },
    );
}

/** `retry_count` is shorthand for `retry.maxRetries`; saying it twice could disagree. */
function checkRetryCountConflict(raw: Record<string, unknown>, ctx: z.core.$RefinementCtx) {
  const countKey =
    raw.retry_count !== undefined ? "retry_count" : raw.retryCount !== undefined ? "retryCount" : undefined;
  if (countKey === undefined) return;
  const retryValue = raw.retry;
  const retrySetsCount =
    typeof retryValue === "number" ||
    (typeof retryValue === "object" &&
      retryValue !== null &&
      ((retryValue as Record<string, unknown>).maxRetries !== undefined ||
        (retryValue as Record<string, unknown>).max_retries !== undefined));
  if (retrySetsCount) {
    ctx.addIssue({
      code: "custom",
      path: [countKey],
      message: `"retry" already sets the number of retries; give only one of "retry" and "${countKey}"`,
    });
  }
}

function isObjectPayload(payload: { value: unknown }): boolean {
  return typeof payload.value === "object" && payload.value !== null && !Array.isArray(payload.value);
}

function durationError(value: unknown): string {
  const parsed = tryParseDuration(value);
  return "error" in parsed ? parsed.error : `expected a duration, received ${describe(value)}`;
}

function workflowNameOf(input: unknown): string | undefined {
  if (typeof input !== "object" || input === null) return undefined;
  const name = (input as { name?: unknown }).name;
  return typeof name === "string" && name !== "" ? name : undefined;
}
