/** The plugin's options, validated by zod (in code and in config files alike). */
import type { Registry, RegistryContentType } from "prom-client";
import { z } from "zod";
import { HTTP_BUCKETS, QUEUE_WAIT_BUCKETS, TASK_BUCKETS, WORKFLOW_BUCKETS } from "./buckets.js";

const buckets = z
  .array(z.number().positive().finite())
  .min(1)
  .refine((values) => values.every((v, i) => i === 0 || v > values[i - 1]!), {
    message: "bucket bounds must be strictly increasing",
  });

/** A prom-client `Registry` (checked by shape, so a second copy of prom-client still works). */
const registry = z.custom<Registry<RegistryContentType>>(
  (value) =>
    typeof value === "object" &&
    value !== null &&
    typeof (value as Registry).registerMetric === "function" &&
    typeof (value as Registry).getMetricsAsJSON === "function",
  { message: "expected a prom-client Registry" },
);

export const optionsSchema = z.object({
  /**
   * The registry to put the metrics in. By default each engine gets a registry
   * of its own; never prom-client's global one.
   * @default a new Registry per engine
   */
  registry: registry.optional(),
  /**
   * Also collect prom-client's default Node.js process metrics (CPU, memory,
   * event loop lag, GC) into the registry.
   * @default false
   */
  defaultMetrics: z.boolean().default(false),
  /**
   * Path of the scrape endpoint, on the server's API and on the standalone listener.
   * @default "/metrics"
   */
  path: z
    .string()
    .regex(/^\/[A-Za-z0-9._~\-/]*$/, { message: 'expected a path starting with "/", like "/metrics"' })
    .default("/metrics"),
  /**
   * Add the scrape route to @flowmesh/server's API (behind the auth plugin's
   * `metrics:read` permission when one is installed).
   * @default true
   */
  route: z.boolean().default(true),
  /**
   * Serve the metrics on a port of their own, for processes without the HTTP
   * API (`flowmesh worker`). Port 0 picks a free one.
   * @default undefined (no listener)
   */
  listen: z
    .object({
      port: z.coerce.number().int().min(0).max(65535),
      /** @default "127.0.0.1" */
      host: z.string().min(1).default("127.0.0.1"),
    })
    .optional(),
  /**
   * Distinct `workflow` label values at most; later workflows are counted as `__other__`.
   * @default 100
   */
  maxWorkflows: z.coerce.number().int().positive().default(100),
  /**
   * Distinct (workflow, task) pairs at most; later tasks are counted as task `__other__`.
   * @default 1000
   */
  maxTasks: z.coerce.number().int().positive().default(1000),
  /**
   * Distinct circuit breaker names at most; later ones are reported as `__other__`.
   * @default 100
   */
  maxCircuits: z.coerce.number().int().positive().default(100),
  /** Histogram bucket bounds in seconds, per histogram. */
  buckets: z
    .object({
      /** @default 0.01 s to 4 h */
      task: buckets.default([...TASK_BUCKETS]),
      /** @default 0.05 s to 24 h */
      workflow: buckets.default([...WORKFLOW_BUCKETS]),
      /** @default 1 ms to 1 h */
      queueWait: buckets.default([...QUEUE_WAIT_BUCKETS]),
      /** @default 1 ms to 10 s */
      http: buckets.default([...HTTP_BUCKETS]),
    })
    .prefault({}),
});

/** Options as users pass them. */
export type PrometheusOptions = z.input<typeof optionsSchema>;
/** Options after validation and defaults. */
export type ResolvedPrometheusOptions = z.output<typeof optionsSchema>;
