/** The fault tests' side of the worker fixture: an API-only engine, execution records, expected outputs. */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createFlowMesh, createLogger, type FlowMesh, type RunRecord } from "@flowmesh/core";
import type pg from "pg";
import { PostgresCoordinator } from "../../src/index.js";
import { DATABASE_URL } from "../helpers.js";

const here = dirname(fileURLToPath(import.meta.url));
export const WORKER_SCRIPT = join(here, "fixtures", "worker.mjs");

/** Child processes run the built packages: fail with the fix when they are missing. */
export function assertBuilt(): void {
  for (const pkg of ["core", "plugin-postgres"]) {
    const entry = join(here, "..", "..", "..", pkg, "dist", "index.js");
    if (!existsSync(entry)) {
      throw new Error(
        `fault tests run worker processes on built packages: ${entry} is missing; run "pnpm build" first`,
      );
    }
  }
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

/** One task execution, as the fixture records it before running the handler. */
export interface Execution {
  r: string;
  t: string;
  a: number;
  p: number;
}

export async function executions(pool: pg.Pool, schema: string): Promise<Execution[]> {
  return (await pool.query<Execution>(`SELECT r, t, a, p FROM "${schema}".fault_exec`)).rows;
}

/** Executions by `run/task`. */
export function byTask(list: readonly Execution[]): Map<string, Execution[]> {
  const map = new Map<string, Execution[]>();
  for (const e of list) {
    const key = `${e.r}/${e.t}`;
    const entry = map.get(key);
    if (entry === undefined) map.set(key, [e]);
    else entry.push(e);
  }
  return map;
}

/** What a dag3 run with input n must produce. */
export function dag3Values(n: number): Record<string, number> {
  return { a: 2 * n, b: 2 * n + 1, c: 4 * n + 1 };
}

/** Each task's committed value (`v`) and the execution (`pid:attempt`) that produced it. */
export function committed(run: RunRecord): Record<string, { v: number; x: string }> {
  const out: Record<string, { v: number; x: string }> = {};
  for (const [name, task] of Object.entries(run.tasks)) out[name] = task.output as { v: number; x: string };
  return out;
}

/** Per (run, task): how many task:succeeded events the log holds. Exactly one each is the invariant. */
export async function succeededEventCounts(pool: pg.Pool, schema: string): Promise<Map<string, number>> {
  const rows = await pool.query<{ k: string; n: number }>(
    `SELECT run_id || '/' || task AS k, count(*)::integer AS n FROM "${schema}".events
     WHERE type = 'task:succeeded' GROUP BY run_id, task`,
  );
  return new Map(rows.rows.map((row) => [row.k, row.n]));
}
