/**
 * The API's zod schemas: request schemas validate (compiled once, at import),
 * response schemas only document (responses are never re-validated, which
 * keeps large run records cheap to send). The workflow definition schema is
 * core's, through its generated JSON Schema, registered as components.
 */
import { z } from "@hono/zod-openapi";

const RUN_STATUSES = ["pending", "running", "succeeded", "failed", "cancelled", "timed_out"] as const;
const TASK_STATUSES = [
  "pending",
  "ready",
  "running",
  "retrying",
  "succeeded",
  "skipped",
  "failed",
  "upstream_failed",
  "cancelled",
] as const;

// ---------------------------------------------------------------- errors

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "FM_ERR_NOT_FOUND" }),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).openapi({
        description: "Structured details; validation errors list `issues: [{ path, in, message }]`.",
      }),
    }),
  })
  .openapi("Error");

// ---------------------------------------------------------------- parameters

const name = z.string().min(1).max(200);

export const RunIdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: "id", in: "path" }, example: "0195f4c2-..." }),
});

export const WorkflowParams = z.object({
  name: name.openapi({ param: { name: "name", in: "path" } }),
});

export const WorkflowVersionParams = z.object({
  name: name.openapi({ param: { name: "name", in: "path" } }),
  version: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: "version", in: "path" } }),
});

const stringList = z.union([z.string(), z.array(z.string())]);

/** A time as epoch milliseconds or an ISO 8601 date. */
const time = z
  .string()
  .refine((value) => parseTime(value) !== undefined, {
    error: "expected epoch milliseconds or an ISO 8601 date",
  })
  .openapi({ example: "2025-01-31T00:00:00Z" });

export const ListRunsQuery = z.strictObject({
  workflow: name.optional().openapi({ description: "Only runs of this workflow." }),
  status: stringList
    .optional()
    .openapi({ description: "Only runs in these statuses: repeat, or separate with commas." }),
  namespace: stringList.optional().openapi({ description: "Only runs in these namespaces." }),
  createdAfter: time.optional().openapi({ description: "Created at or after." }),
  createdBefore: time.optional().openapi({ description: "Created before." }),
  limit: z
    .string()
    .regex(/^[1-9]\d{0,5}$/, { error: "expected a positive integer" })
    .optional()
    .openapi({ description: "Page size, default 50.", example: "50" }),
  cursor: z
    .string()
    .min(1)
    .max(1000)
    .optional()
    .openapi({ description: "`nextCursor` of the previous page." }),
});

export const ListWorkflowsQuery = z.strictObject({
  namespace: stringList.optional().openapi({ description: "Only workflows in these namespaces." }),
});

export const IdempotencyHeaders = z.object({
  "idempotency-key": z
    .string()
    .min(1)
    .max(255)
    .optional()
    .openapi({
      param: { name: "idempotency-key", in: "header" },
      description: "The same key returns the same run (200); with a different body it is a 409.",
    }),
});

// ---------------------------------------------------------------- bodies

const version = z.union([z.string().min(1).max(200), z.number()]);

export const StartRunBody = z
  .strictObject({
    workflow: name.openapi({ example: "etl" }),
    version: version.optional().openapi({ description: "Default: the latest registered version." }),
    input: z.unknown().optional().openapi({ description: "The run's input, any JSON." }),
  })
  .openapi("StartRun");

export const StartWorkflowRunBody = z
  .strictObject({
    version: version.optional().openapi({ description: "Default: the latest registered version." }),
    input: z.unknown().optional().openapi({ description: "The run's input, any JSON." }),
  })
  .openapi("StartWorkflowRun");

export const CancelBody = z.strictObject({ reason: z.string().max(1000).optional() }).openapi("CancelRun");

export const RetryBody = z
  .strictObject({
    fromTask: z
      .string()
      .min(1)
      .optional()
      .openapi({ description: "Re-run this task and everything downstream, even if they succeeded." }),
  })
  .openapi("RetryRun");

// ---------------------------------------------------------------- responses (documentation only)

const SerializedErrorSchema = z
  .object({
    name: z.string(),
    message: z.string(),
    code: z.string().optional(),
    retryable: z.boolean().optional(),
    task: z.string().optional(),
  })
  .openapi("TaskError");

const TaskRecordSchema = z
  .object({
    name: z.string(),
    status: z.enum(TASK_STATUSES),
    dependsOn: z.array(z.string()),
    priority: z.number(),
    attempts: z.int(),
    output: z.unknown().optional(),
    error: SerializedErrorSchema.optional(),
    readyAt: z.number().optional(),
    startedAt: z.number().optional(),
    endedAt: z.number().optional(),
    durationMs: z.number().optional(),
    retryAt: z.number().optional(),
  })
  .openapi("TaskState");

export const RunSchema = z
  .object({
    id: z.string(),
    workflow: z.string(),
    version: z.string(),
    namespace: z.string(),
    status: z.enum(RUN_STATUSES),
    input: z.unknown(),
    tasks: z.record(z.string(), TaskRecordSchema),
    taskOrder: z.array(z.string()),
    error: SerializedErrorSchema.optional(),
    idempotencyKey: z.string().optional(),
    startedBy: z.string().optional(),
    createdAt: z.number().openapi({ description: "Epoch milliseconds (backend clock)." }),
    startedAt: z.number().optional(),
    endedAt: z.number().optional(),
    deadlineAt: z.number().optional(),
  })
  .openapi("Run");

export const RunPageSchema = z
  .object({ runs: z.array(RunSchema), nextCursor: z.string().optional() })
  .openapi("RunPage");

export const WorkflowSummarySchema = z
  .object({
    name: z.string(),
    namespace: z.string(),
    latestVersion: z.string(),
    versions: z.array(z.string()),
    description: z.string().optional(),
    tasks: z.array(z.string()),
  })
  .openapi("WorkflowSummary");

export const WorkflowListSchema = z
  .object({ workflows: z.array(WorkflowSummarySchema) })
  .openapi("WorkflowList");

export const WorkflowDetailSchema = z
  .object({
    name: z.string(),
    version: z.string(),
    namespace: z.string(),
    versions: z.array(z.string()),
    definition: z.record(z.string(), z.unknown()).openapi({
      description: "The definition as a workflow file would hold it (a `WorkflowDefinition`).",
    }),
  })
  .openapi("Workflow");

export const HealthSchema = z.object({ status: z.literal("ok") }).openapi("Health");

export const ReadySchema = z
  .object({
    status: z.enum(["ready", "unavailable"]),
    backend: z.string(),
    healthy: z.boolean(),
    running: z.int(),
    queueDepth: z.int(),
  })
  .openapi("Readiness");

// ---------------------------------------------------------------- helpers

/** Epoch ms from epoch-ms digits or an ISO date; undefined when neither. */
export function parseTime(value: string): number | undefined {
  if (/^\d{1,16}$/.test(value)) return Number(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
