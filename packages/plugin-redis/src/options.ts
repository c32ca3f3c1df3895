/** Options of the Redis backend, validated with zod at the boundary. */
import type { Logger } from "@flowmesh/core";
import type { Cluster, Redis, RedisOptions } from "ioredis";
import { z } from "zod";

const isClient = (value: unknown): boolean =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as { evalsha?: unknown }).evalsha === "function" &&
  typeof (value as { duplicate?: unknown }).duplicate === "function";

const isLogger = (value: unknown): boolean =>
  typeof value === "object" && value !== null && typeof (value as { warn?: unknown }).warn === "function";

/** The zod schema of {@link RedisBackendOptions}. */
export const redisOptionsSchema = z
  .object({
    /** Where Redis is. Ignored when `client` is given. @default "redis://127.0.0.1:6379" */
    url: z
      .string()
      .regex(/^rediss?:\/\//, {
        error: 'expected a redis:// or rediss:// URL, e.g. "redis://127.0.0.1:6379"',
      })
      .optional(),
    /** An ioredis `Redis` (or `Cluster`) client to use instead of connecting; it is never closed by FlowMesh. */
    client: z
      .custom<Redis | Cluster>(isClient, { error: "expected an ioredis Redis or Cluster client" })
      .optional(),
    /** Prefix of every key; one prefix is one independent FlowMesh deployment. @default "flowmesh" */
    keyPrefix: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[^\s]+$/, { error: "a key prefix has no whitespace" })
      .default("flowmesh"),
    /** How long `start()` waits for the first connection, in ms. @default 10000 */
    connectTimeoutMs: z.number().int().positive().default(10_000),
    /**
     * Wake idle workers this often even without a signal (ms; 0 disables): a
     * safety net for wake-ups pub/sub dropped. One cheap claim per interval. @default 5000
     */
    idleWakeMs: z.number().int().nonnegative().default(5_000),
    /** Check `maxmemory-policy` at start and warn unless it is `noeviction`. @default true */
    checkMaxmemoryPolicy: z.boolean().default(true),
    /** Extra ioredis options for the connections made from `url`. */
    redisOptions: z.record(z.string(), z.unknown()).optional(),
    /** Where warnings go when used without the plugin. @default FlowMesh's default logger */
    logger: z.custom<Logger>(isLogger, { error: "expected a pino-compatible logger" }).optional(),
  })
  .strict();

/** Options of {@link RedisCoordinator} and the `redis()` plugin. */
export type RedisBackendOptions = z.input<typeof redisOptionsSchema> & { redisOptions?: RedisOptions };

export type ResolvedRedisOptions = z.output<typeof redisOptionsSchema>;
