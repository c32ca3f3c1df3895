/**
 * Where the Postgres benchmark runs: the database of
 * `FLOWMESH_BENCH_PG_URL` (default postgres://postgres@127.0.0.1:5432/test).
 * Every system gets its own schema, dropped before each scenario and at the
 * end; pgbench gets its own database, created and dropped around it.
 */
import pg from "pg";

export const PG_URL = process.env.FLOWMESH_BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** The schemas the suite owns (and drops). */
export const SCHEMAS = {
  flowmesh: "fmbench_flowmesh",
  graphile: "fmbench_graphile",
  pgboss: "fmbench_pgboss",
  bullmq: "fmbench_bullmq",
  /** The level-barrier counters of the peers' DAG shape. */
  barrier: "fmbench_barrier",
} as const;

/** pgbench's throwaway database. */
export const PGBENCH_DATABASE = "fmbench_pgbench";

/** Drops every schema the suite owns. */
export async function dropBenchSchemas(): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    for (const schema of Object.values(SCHEMAS))
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

export interface PostgresSizes {
  batchJobs: number;
  concurrency: number;
  flows: number;
  flowsInFlight: number;
  flowLatencyRuns: number;
  pgbenchSeconds: number;
}

export const FULL: PostgresSizes = {
  batchJobs: 10_000,
  concurrency: 10,
  flows: 200,
  flowsInFlight: 50,
  flowLatencyRuns: 20,
  pgbenchSeconds: 10,
};

export const QUICK: PostgresSizes = {
  batchJobs: 1_000,
  concurrency: 10,
  flows: 20,
  flowsInFlight: 10,
  flowLatencyRuns: 3,
  pgbenchSeconds: 3,
};
