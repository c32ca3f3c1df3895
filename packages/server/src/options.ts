/** Options of `createFlowMeshApp` and `startServer`, validated by one zod schema. */
import { FlowMeshError } from "@flowmesh/core";
import { z } from "zod";

/** The options schema: users pass `z.input`, the app works with `z.output`. */
export const appOptionsSchema = z.strictObject({
  /**
   * Largest request body in bytes; bigger bodies get 413.
   * @default 1048576 (1 MiB)
   */
  bodyLimit: z.int().positive().default(1_048_576),
  /**
   * Serve every route below this path (`/api/flowmesh`). Leave it empty when the
   * host framework strips the mount path (Express `app.use(path, ...)`, Fastify
   * prefixes, Hono `app.route(path, ...)`).
   * @default ""
   */
  prefix: z
    .string()
    .regex(/^(\/[A-Za-z0-9._~-]+)*$/, {
      error: 'expected "" or a path like "/flowmesh" (no trailing slash)',
    })
    .default(""),
  /**
   * Serve `/openapi.json` and the interactive docs page (`/docs`).
   * @default true
   */
  docs: z.boolean().default(true),
  /**
   * Interval between SSE heartbeat comments, in milliseconds.
   * @default 15000
   */
  sseHeartbeatMs: z.int().min(10).default(15_000),
  /**
   * How often a live SSE stream re-reads the run's event log when nothing in
   * this process signalled new events (runs executed by other processes).
   * @default 1000
   */
  ssePollMs: z.int().min(10).default(1_000),
  /**
   * Largest `limit` accepted by list routes.
   * @default 500
   */
  maxPageSize: z.int().positive().default(500),
  /**
   * Include task errors' stack traces in run records. Off by default: responses never carry stacks.
   * @default false
   */
  exposeErrorStacks: z.boolean().default(false),
});

/** Options as users write them. */
export type FlowMeshAppOptions = z.input<typeof appOptionsSchema>;
/** Options with defaults applied. */
export type ResolvedAppOptions = z.output<typeof appOptionsSchema>;

/** Validates options; throws `FM_ERR_INVALID_OPTIONS` naming each bad option. */
export function resolveAppOptions(options: unknown, where: string): ResolvedAppOptions {
  const result = appOptionsSchema.safeParse(options ?? {});
  if (result.success) return result.data;
  const lines = result.error.issues.map(
    (issue) => `option "${issue.path.map(String).join(".") || "(root)"}": ${issue.message}`,
  );
  throw new FlowMeshError("FM_ERR_INVALID_OPTIONS", `${where}: ${lines.join("; ")}`, {
    details: {
      issues: result.error.issues.map((issue) => ({
        path: issue.path.map(String).join("."),
        message: issue.message,
      })),
    },
  });
}
