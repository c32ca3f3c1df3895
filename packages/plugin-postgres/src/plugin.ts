/** `postgres()`: the plugin that makes PostgreSQL the engine's backend. */
import { definePlugin, parseDuration } from "@flowmesh/core";
import pg from "pg";
import { z } from "zod";
import { PostgresCoordinator } from "./coordinator.js";
import { SCHEMA_PATTERN } from "./identifier.js";
import type { PostgresCoordinatorOptions } from "./options.js";

const duration = z
  .union([z.number(), z.string()])
  .optional()
  .transform((value, ctx) => {
    if (value === undefined) return undefined;
    try {
      return parseDuration(value);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message.replace(/^\[flowmesh\] /, "") });
      return z.NEVER;
    }
  });

/** Options of {@link postgres}. Durations: a number is seconds, or a string such as `"500ms"`, `"30s"`, `"7d"`. */
export const postgresOptionsSchema = z
  .strictObject({
    /** `postgres://user:pass@host:5432/db`. */
    connectionString: z.string().min(1).optional(),
    /** An existing `pg.Pool`, used as is and never ended by FlowMesh. */
    pool: z.instanceof(pg.Pool).optional(),
    /** Schema for FlowMesh's tables. @default "flowmesh" */
    schema: z
      .string()
      .regex(
        SCHEMA_PATTERN,
        'lower-case letters, digits and "_", starting with a letter or "_", at most 48 characters',
      )
      .default("flowmesh"),
    /** Apply migrations at start; false only checks them (apply with `flowmesh migrate`). @default true */
    migrate: z.boolean().default(true),
    /** `application_name` of FlowMesh's connections. @default "flowmesh" */
    applicationName: z.string().min(1).max(63).optional(),
    /** Size of the pool FlowMesh creates. @default 10 */
    poolSize: z.number().int().min(1).max(1000).optional(),
    /** `statement_timeout` of FlowMesh's connections. @default "30s" */
    statementTimeout: duration,
    /** `synchronous_commit` of FlowMesh's connections (false: faster, may lose the last commits on a server crash). */
    synchronousCommit: z.boolean().optional(),
    /** How often to poll while the LISTEN connection is down. @default "1s" */
    pollInterval: duration,
    /** Delete finished runs this long after they ended (checked once a minute by the sweep). @default keep all */
    retention: duration,
  })
  .refine((o) => o.connectionString !== undefined || o.pool !== undefined, {
    message: "pass a connectionString or a pool",
    path: ["connectionString"],
  });

export type PostgresPluginOptions = z.input<typeof postgresOptionsSchema>;

/** Maps validated plugin options to coordinator options. */
export function coordinatorOptions(o: z.output<typeof postgresOptionsSchema>): PostgresCoordinatorOptions {
  const options: PostgresCoordinatorOptions = { schema: o.schema, migrate: o.migrate };
  if (o.connectionString !== undefined) options.connectionString = o.connectionString;
  if (o.pool !== undefined) options.pool = o.pool;
  if (o.applicationName !== undefined) options.applicationName = o.applicationName;
  if (o.poolSize !== undefined) options.poolSize = o.poolSize;
  if (o.statementTimeout !== undefined) options.statementTimeoutMs = o.statementTimeout;
  if (o.synchronousCommit !== undefined) options.synchronousCommit = o.synchronousCommit;
  if (o.pollInterval !== undefined) options.pollIntervalMs = o.pollInterval;
  if (o.retention !== undefined) options.retentionMs = o.retention;
  return options;
}

/**
 * The PostgreSQL backend as a plugin:
 * `createFlowMesh({ plugins: [postgres({ connectionString: process.env.DATABASE_URL })] })`.
 * Connects and migrates when the engine starts; closes with the engine.
 */
export const postgres = definePlugin({
  name: "postgres",
  version: "0.1.0",
  options: postgresOptionsSchema,
  setup(ctx, options) {
    const coordinator = new PostgresCoordinator(coordinatorOptions(options));
    ctx.provide("backend", coordinator);
  },
});
