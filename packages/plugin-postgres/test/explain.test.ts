/**
 * The hot queries use indexes: with enough rows seeded and ANALYZEd, their
 * plans show index scans and no sequential scan on runs, tasks or events.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildQueries, claimSql } from "../src/queries.js";
import { listRunsQuery } from "../src/list-runs.js";
import { runMigrations } from "../src/index.js";
import { adminPool, DATABASE_URL, dropSchema, uniqueSchema } from "./helpers.js";

const schema = uniqueSchema("explain");
const S = `"${schema}"`;
const admin = adminPool();
const q = buildQueries(schema);
const tag = q.claim.name.split("_")[1]!;
let sampleRun = "";

beforeAll(async () => {
  await runMigrations({ connectionString: DATABASE_URL, schema });
  // 20,000 finished runs over 20 workflows, 3 tasks and 5 events each; 200 running runs with ready tasks.
  await admin.query(`
    INSERT INTO ${S}.runs (id, namespace, workflow, version, status, created_at, started_at, ended_at, remaining)
    SELECT (lpad(to_hex(i), 8, '0') || '-0000-4000-8000-000000000000')::uuid, 'ns' || (i % 5), 'wf' || (i % 20), '1',
      CASE WHEN i <= 200 THEN 'running' WHEN i % 50 = 0 THEN 'failed' ELSE 'succeeded' END,
      now() - (i || ' seconds')::interval, now() - (i || ' seconds')::interval,
      CASE WHEN i <= 200 THEN NULL ELSE now() - (i || ' seconds')::interval END,
      CASE WHEN i <= 200 THEN 3 ELSE 0 END
    FROM generate_series(1, 20000) AS i`);
  await admin.query(`
    INSERT INTO ${S}.tasks (run_id, name, idx, status, priority, depends_on, dependents, pending_deps, run_at, ready_at)
    SELECT r.id, t.name, t.idx, CASE WHEN r.status = 'running' THEN 'ready' ELSE 'succeeded' END, 0, '{}', '{}', 0,
      CASE WHEN r.status = 'running' THEN r.created_at END, r.created_at
    FROM ${S}.runs r, (VALUES ('a', 0), ('b', 1), ('c', 2)) AS t(name, idx)`);
  await admin.query(`
    INSERT INTO ${S}.events (run_id, type, at, task)
    SELECT r.id, 'task:succeeded', r.created_at, 'a' FROM ${S}.runs r, generate_series(1, 5)`);
  await admin.query(`ANALYZE ${S}.runs; ANALYZE ${S}.tasks; ANALYZE ${S}.events`);
  sampleRun = (
    await admin.query<{ id: string }>(`SELECT id FROM ${S}.runs ORDER BY created_at LIMIT 1 OFFSET 5000`)
  ).rows[0]!.id;
}, 60_000);

afterAll(async () => {
  await admin.end();
  await dropSchema(schema);
});

/** Substitutes literal values for $n (EXPLAIN cannot take parameters) and returns the plan text. */
async function explain(text: string, values: unknown[]): Promise<string> {
  const literal = (v: unknown): string =>
    v === null
      ? "NULL"
      : Array.isArray(v)
        ? `'{${v.map((x) => `"${String(x)}"`).join(",")}}'`
        : typeof v === "number"
          ? String(v)
          : `'${(typeof v === "string" ? v : JSON.stringify(v)).replace(/'/g, "''")}'`;
  const sql = text.replace(/\$(\d+)/g, (_, n: string) => literal(values[Number(n) - 1]));
  const client = await admin.connect();
  try {
    // A plan, not an execution: the data-modifying claim CTE changes nothing under EXPLAIN.
    const rows = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN ${sql}`);
    return rows.rows.map((r) => r["QUERY PLAN"]).join("\n");
  } finally {
    client.release();
  }
}

function expectIndexedOnly(plan: string): void {
  expect(plan).not.toMatch(/Seq Scan on (runs|tasks|events)/);
  expect(plan).toMatch(/Index (Only )?Scan|Bitmap Index Scan/);
}

describe("EXPLAIN of the hot queries", () => {
  it("claims in queue-index order, stopping at the limit, even with a cached generic plan", async () => {
    // claim() runs claimSql with enable_bitmapscan off (its only setting); check both.
    const config = await admin.query<{ proconfig: string[] | null }>(
      `SELECT p.proconfig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = $1 AND p.proname = 'claim'`,
      [schema],
    );
    expect(config.rows[0]?.proconfig).toEqual(["enable_bitmapscan=off"]);
    const client = await admin.connect();
    try {
      await client.query("BEGIN");
      await client.query("SET LOCAL plan_cache_mode = force_generic_plan");
      await client.query("SET LOCAL enable_bitmapscan = off");
      await client.query(
        `PREPARE fm_claim_plan(text, integer, double precision) AS ${claimSql(S, "$1", "$2", "$3")}`,
      );
      const rows = await client.query<{ "QUERY PLAN": string }>(
        "EXPLAIN EXECUTE fm_claim_plan('w', 10, 30000)",
      );
      const plan = rows.rows.map((r) => r["QUERY PLAN"]).join("\n");
      expectIndexedOnly(plan);
      // The queue is read in index order under LIMIT: no sort of the whole queue before locking.
      expect(plan).toMatch(/Limit[^\n]*\n\s*->\s*LockRows[^\n]*\n\s*->\s*Index Scan using tasks_queue/);
      await client.query("ROLLBACK");
      await client.query("DEALLOCATE fm_claim_plan");
    } finally {
      client.release();
    }
  });

  it("looks up each completed or heartbeated task by its key, never scanning the running tasks", async () => {
    // The seeded runs have no running task: lease a few, so that tasks_leases has entries to tempt the planner.
    await admin.query(`UPDATE ${S}.tasks SET status = 'running', lease = 1, lease_expires_at = now() + interval '1 hour'
      WHERE run_id IN (SELECT id FROM ${S}.runs WHERE status = 'running' LIMIT 150)`);
    await admin.query(`ANALYZE ${S}.tasks`);
    const client = await admin.connect();
    const plans: string[] = [];
    const collect = (notice: { message?: string }): void => void plans.push(notice.message ?? "");
    client.on("notice", collect);
    try {
      await client.query("BEGIN");
      await client.query("SET LOCAL plan_cache_mode = force_generic_plan");
      // complete() is a function: auto_explain shows the plans of its statements.
      await client.query("LOAD 'auto_explain'");
      await client.query("SET LOCAL auto_explain.log_min_duration = 0");
      await client.query("SET LOCAL auto_explain.log_nested_statements = on");
      await client.query("SET LOCAL client_min_messages = log");
      const run = [sampleRun];
      await client.query(q.complete.text, [run, ["a"], ["1"], ["1"], [1], [false]]);
      await client.query(q.heartbeat.text, [run, ["a"], ["1"], 30_000]);
      await client.query("ROLLBACK");
    } finally {
      client.off("notice", collect);
      client.release();
    }
    const update = plans.filter((plan) => /UPDATE [^\n]*tasks t SET (status|lease_expires_at)/.test(plan));
    expect(update).toHaveLength(2);
    for (const plan of update) {
      expect(plan).toMatch(/Index Scan using tasks_pkey on tasks t/);
      expect(plan).not.toMatch(/Scan (using|on) tasks_leases/);
    }
  });

  it("lists runs by workflow, status, namespace and time through indexes", async () => {
    const filters = [
      { workflow: "wf3" },
      { status: "failed" as const },
      { status: ["failed", "cancelled"] as ("failed" | "cancelled")[] },
      { namespace: "ns2" },
      { createdAfter: Date.now() - 3_600_000, createdBefore: Date.now() - 1_800_000 },
      { workflow: "wf3", status: "succeeded" as const, limit: 20 },
      {},
    ];
    for (const filter of filters) {
      const query = listRunsQuery(S, tag, filter);
      expectIndexedOnly(await explain(query.text, query.values));
    }
  });

  it("reads a run's events, its record and the recovery sweep through indexes", async () => {
    expectIndexedOnly(await explain(q.readEvents.text, [sampleRun, "0", 1000]));
    expectIndexedOnly(await explain(q.getRun.text, [sampleRun]));
    expectIndexedOnly(await explain(q.getResults.text, [[sampleRun]]));
    expectIndexedOnly(await explain(q.queueDepth.text, []));
    expectIndexedOnly(await explain(q.endedSince.text, [Date.now() - 5_000]));
  });
});
