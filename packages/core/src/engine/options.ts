import { z } from "zod";
import type { Coordinator, RunStore } from "../backend/types.js";
import { tryParseDuration, type Duration } from "../duration.js";
import { FlowMeshError } from "../errors.js";
import type { Logger } from "../logger.js";
import { collectIssues } from "../model/issues.js";
import type { FlowMeshPlugin } from "../plugins/types.js";

/** Options of {@link createFlowMesh}. */
export interface FlowMeshOptions {
  /** Where runs live. A {@link Coordinator} (memory, Redis, Postgres) or a simple {@link RunStore}. @default in-memory */
  backend?: Coordinator | RunStore;
  plugins?: FlowMeshPlugin[];
  /** A pino-compatible logger (e.g. a Fastify app's `app.log`). @default JSON lines on stdout at `FLOWMESH_LOG_LEVEL` or info */
  logger?: Logger;
  /** Task attempts this engine runs at once. @default 100 */
  concurrency?: number;
  /**
   * Claim and run tasks in this process. API-only processes set false. An
   * object runs the worker with these settings. @default true
   */
  worker?: boolean | WorkerSettings;
  /** Lease on a claimed task, renewed by heartbeats every third of it. @default "30s" */
  lease?: Duration;
  /** How often expired leases and run deadlines are swept. @default "1s" */
  sweepInterval?: Duration;
  /** How long `close()` waits for running attempts before aborting them. @default "30s" */
  drainTimeout?: Duration;
  /** Identifies this worker in leases and logs. @default hostname-pid-random */
  workerId?: string;
}

/** Settings of this engine's worker (`worker: { ... }`). */
export interface WorkerSettings {
  /**
   * Distributed backends (Redis, Postgres, any asynchronous coordinator): how
   * many claimed tasks the worker keeps ready to start beyond its free slots,
   * so a slot that frees starts the next task with no round trip. Buffered
   * tasks are leased and heartbeated like running ones and handed back at
   * once, their attempt refunded, when the engine closes. 0 claims only for
   * free slots. The in-memory backend has no round trips and ignores it.
   * Default: adaptive, starting at `min(4 × concurrency, 32)` and growing (up
   * to 256) while free slots wait for claims with work still queued; see
   * `docs/backends.md`. A number set here is kept fixed.
   */
  prefetch?: number;
}

/** Options after validation, durations in ms. */
export interface ResolvedOptions {
  backend: Coordinator | RunStore | undefined;
  plugins: FlowMeshPlugin[];
  logger: Logger | undefined;
  concurrency: number;
  worker: boolean;
  /** `worker.prefetch`; undefined for the default. */
  prefetch: number | undefined;
  leaseMs: number;
  sweepIntervalMs: number;
  drainTimeoutMs: number;
  workerId: string | undefined;
}

const duration = (fallback: number) =>
  z
    .union([z.number(), z.string()])
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return fallback;
      const parsed = tryParseDuration(value);
      if ("error" in parsed) {
        ctx.addIssue({ code: "custom", message: parsed.error });
        return z.NEVER;
      }
      if (parsed.ms <= 0) {
        ctx.addIssue({
          code: "custom",
          message: `must be greater than 0, received ${JSON.stringify(value)}`,
        });
        return z.NEVER;
      }
      return parsed.ms;
    });

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null;

const optionsSchema = z.strictObject({
  backend: z
    .custom<Coordinator | RunStore>(
      (v) =>
        isObject(v) &&
        (typeof v.claim === "function" || (typeof v.save === "function" && typeof v.get === "function")),
      "expected a Coordinator (claim, complete, ...) or a RunStore (save, get, list)",
    )
    .optional(),
  plugins: z
    .array(
      z.custom<FlowMeshPlugin>(
        (v) => isObject(v) && typeof v.name === "string" && typeof v.apply === "function",
        "expected a plugin made by definePlugin()",
      ),
    )
    .default([]),
  logger: z
    .custom<Logger>(
      (v) => isObject(v) && typeof v.child === "function" && typeof v.info === "function",
      "expected a pino-compatible logger",
    )
    .optional(),
  concurrency: z.number().int().min(1).max(100_000).default(100),
  worker: z
    .union([z.boolean(), z.strictObject({ prefetch: z.number().int().min(0).max(10_000).optional() })])
    .default(true),
  lease: duration(30_000),
  sweepInterval: duration(1_000),
  drainTimeout: duration(30_000),
  workerId: z.string().min(1).optional(),
});

/** Validates engine options; throws `FM_ERR_INVALID_OPTIONS` naming each bad option. */
export function resolveOptions(options: FlowMeshOptions): ResolvedOptions {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const issues = collectIssues(parsed.error.issues);
    throw new FlowMeshError(
      "FM_ERR_INVALID_OPTIONS",
      `createFlowMesh: ${issues.map((i) => `option "${i.path}": ${i.message}`).join("; ")}`,
      { details: { issues } },
    );
  }
  const o = parsed.data;
  return {
    backend: o.backend,
    plugins: o.plugins,
    logger: o.logger,
    concurrency: o.concurrency,
    worker: o.worker !== false,
    prefetch: typeof o.worker === "object" ? o.worker.prefetch : undefined,
    leaseMs: o.lease,
    sweepIntervalMs: o.sweepInterval,
    drainTimeoutMs: o.drainTimeout,
    workerId: o.workerId,
  };
}
