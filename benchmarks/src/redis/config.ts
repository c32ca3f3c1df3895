/**
 * Where the Redis benchmark runs: the Redis of `FLOWMESH_BENCH_REDIS_URL`
 * (default 127.0.0.1:6379), in its own database (`FLOWMESH_BENCH_REDIS_DB`,
 * default 7), flushed with FLUSHDB before every scenario — never FLUSHALL:
 * other programs may use the other databases of the same server.
 */
import { Redis } from "ioredis";

const url = new URL(process.env.FLOWMESH_BENCH_REDIS_URL ?? "redis://127.0.0.1:6379");

export const REDIS_HOST = url.hostname;
export const REDIS_PORT = Number(url.port || 6379);
export const REDIS_DB = Number(process.env.FLOWMESH_BENCH_REDIS_DB ?? 7);
/** Every key the suite writes starts with this (BullMQ's prefix, FlowMesh's keyPrefix). */
export const KEY_PREFIX = "fmbench";

/** redis://host:port/db for clients that take a URL. */
export function redisUrl(): string {
  return `redis://${REDIS_HOST}:${REDIS_PORT}/${REDIS_DB}`;
}

/** Empties the benchmark's database (only that one). */
export async function flushBenchDb(): Promise<void> {
  const client = new Redis({ host: REDIS_HOST, port: REDIS_PORT, db: REDIS_DB, lazyConnect: true });
  try {
    await client.connect();
    if (REDIS_DB === 0)
      throw new Error("refusing to FLUSHDB database 0: set FLOWMESH_BENCH_REDIS_DB to a spare database");
    await client.flushdb();
  } finally {
    client.disconnect();
  }
}

/** Sizes of the full run and of `--quick`. */
export interface RedisSizes {
  /** (a): jobs per batch, and the worker concurrencies. */
  batchJobs: number;
  concurrencies: number[];
  /** (b): flows in the throughput run, how many at once, and sequential flows for latency. */
  flows: number;
  flowsInFlight: number;
  flowLatencyRuns: number;
  /** (c): measured runs and unmeasured warm-up runs (enough warm-up that the JIT has settled for both systems). */
  latencyRuns: number;
  latencyWarmup: number;
  /** (c): the measured runs are taken in this many rounds, interleaving every system's variants. */
  latencyRounds: number;
  /** redis-benchmark requests per test. */
  ceilingRequests: number;
}

export const FULL: RedisSizes = {
  batchJobs: 20_000,
  concurrencies: [1, 10, 100],
  flows: 1_000,
  flowsInFlight: 200,
  flowLatencyRuns: 100,
  latencyRuns: 2_000,
  latencyWarmup: 1_000,
  latencyRounds: 20,
  ceilingRequests: 100_000,
};

export const QUICK: RedisSizes = {
  batchJobs: 2_000,
  concurrencies: [1, 10, 100],
  flows: 200,
  flowsInFlight: 200,
  flowLatencyRuns: 20,
  latencyRuns: 200,
  latencyWarmup: 20,
  latencyRounds: 4,
  ceilingRequests: 20_000,
};
