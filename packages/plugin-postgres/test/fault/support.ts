/** The fault tests' side of the worker fixture: an API-only engine, execution records, expected outputs. */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { assertPackagesBuilt, type Execution } from "@flowmesh/core/testing";
import { createFlowMesh, createLogger, type FlowMesh } from "@flowmesh/core";
import type pg from "pg";
import { PostgresCoordinator } from "../../src/index.js";
import { DATABASE_URL } from "../helpers.js";

const here = dirname(fileURLToPath(import.meta.url));
export const WORKER_SCRIPT = join(here, "fixtures", "worker.mjs");

/** Child processes run the built packages: fail with the fix when they are missing. */
export function assertBuilt(): void {
  assertPackagesBuilt(join(here, "..", "..", ".."), ["core", "plugin-postgres"]);
}

const refuse = (): never => {
  throw new Error("the API engine of a fault test runs no task");
};

/** An engine that only starts runs and reads them (its workflows mirror the fixture's); creates the schema. */
export async function apiEngine(schema: string): Promise<FlowMesh> {
  const fm = createFlowMesh({
    backend: new PostgresCoordinator({
      connectionString: DATABASE_URL,
      schema,
      applicationName: "flowmesh-fault-api",
      poolSize: 4,
      pollIntervalMs: 250,
    }),
    worker: false,
    logger: createLogger({ level: "silent" }),
  });
  await fm.register({
    name: "dag3",
    tasks: [
      { name: "a", handler: refuse },
      { name: "b", dependsOn: ["a"], handler: refuse },
      { name: "c", dependsOn: ["a", "b"], handler: refuse },
    ],
  });
  await fm.register({ name: "slow", tasks: [{ name: "s", handler: refuse }] });
  await fm.ready();
  return fm;
}

/** The table the fixture records executions in. */
export async function createExecTable(pool: pg.Pool, schema: string): Promise<void> {
  await pool.query(
    `CREATE TABLE IF NOT EXISTS "${schema}".fault_exec (r uuid, t text, a integer, p integer)`,
  );
}

export async function executions(pool: pg.Pool, schema: string): Promise<Execution[]> {
  return (await pool.query<Execution>(`SELECT r, t, a, p FROM "${schema}".fault_exec`)).rows;
}

/** Per (run, task): how many task:succeeded events the log holds. Exactly one each is the invariant. */
export async function succeededEventCounts(pool: pg.Pool, schema: string): Promise<Map<string, number>> {
  const rows = await pool.query<{ k: string; n: number }>(
    `SELECT run_id || '/' || task AS k, count(*)::integer AS n FROM "${schema}".events
     WHERE type = 'task:succeeded' GROUP BY run_id, task`,
  );
  return new Map(rows.rows.map((row) => [row.k, row.n]));
}
