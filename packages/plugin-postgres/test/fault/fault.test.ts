/**
 * The five fault tests, with real worker processes (the built
 * packages) on the real PostgreSQL, each in its own schema. Task durations are
 * scaled down to 10–120 ms and leases to 0.6–1.5 s so the suite stays within a
 * few minutes on a small shared machine. The "Postgres restart" is simulated
 * with a TCP proxy the workers connect through (cut, then restored): the
 * shared server is never restarted.
 */
import { randomUUID } from "node:crypto";
import {
  committedOutputs,
  dag3Values,
  executionsByTask,
  FaultHarness,
  sleep,
  TcpProxy,
  waitFor,
  type WorkerProcess,
} from "@flowmesh/core/testing";
import type { FlowMesh, RunRecord } from "@flowmesh/core";
import type pg from "pg";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { adminPool, DATABASE_URL, dropSchema, uniqueSchema } from "../helpers.js";
import {
  apiEngine,
  assertBuilt,
  createExecTable,
  executions,
  succeededEventCounts,
  WORKER_SCRIPT,
} from "./support.js";

interface Context {
  schema: string;
  app: string;
  harness: FaultHarness;
  fm: FlowMesh;
  admin: pg.Pool;
  proxy?: TcpProxy;
}
let current: Context | undefined;

async function setup(label: string, env: Record<string, string> = {}): Promise<Context> {
  const schema = uniqueSchema(`fault_${label}`);
  // Connection chaos terminates backends by this name only: other suites' connections are never touched.
  const app = `fm-fault-${randomUUID().slice(0, 8)}`;
  const admin = adminPool();
  const fm = await apiEngine(schema);
  await createExecTable(admin, schema);
  const harness = new FaultHarness({
    script: WORKER_SCRIPT,
    env: {
      FM_SCHEMA: schema,
      FM_DATABASE_URL: DATABASE_URL,
      FM_RECORD_URL: DATABASE_URL,
      FM_APP: app,
      ...env,
    },
  });
  current = { schema, app, harness, fm, admin };
  return current;
}

afterEach(async () => {
  const ctx = current;
  current = undefined;
  if (ctx === undefined) return;
  await ctx.harness.cleanup();
  await ctx.proxy?.close();
  await ctx.fm.close();
  await ctx.admin.end();
  await dropSchema(ctx.schema);
});

async function ready(...workers: WorkerProcess[]): Promise<void> {
  await Promise.all(workers.map((w) => w.waitForLine("ready", 30_000)));
}

/** Every dag3 run succeeded with the right values, and each task has exactly one committed result. */
async function checkDag3(ctx: Context, runs: readonly RunRecord[]): Promise<void> {
  const counts = await succeededEventCounts(ctx.admin, ctx.schema);
  for (const run of runs) {
    expect(run.status, `run ${run.id}: ${JSON.stringify(run.error)}`).toBe("succeeded");
    const n = (run.input as { n: number }).n;
    const values = Object.fromEntries(Object.entries(committedOutputs(run)).map(([k, v]) => [k, v.v]));
    expect(values).toEqual(dag3Values(n));
    for (const name of ["a", "b", "c"]) expect(counts.get(`${run.id}/${name}`)).toBe(1);
  }
  expect((await ctx.fm.listRuns({ status: ["pending", "running"], limit: 10 })).runs).toEqual([]);
}

describe("fault tests with worker processes", () => {
  beforeAll(() => assertBuilt());

  it(
    "kill -9 under load: every run completes, one committed result per task, no run stuck",
    { timeout: 150_000 },
    async () => {
      const ctx = await setup("kill", {
        FM_CONCURRENCY: "10",
        FM_LEASE_MS: "1500",
        FM_SWEEP_MS: "200",
        FM_MIN_MS: "30",
        FM_MAX_MS: "120",
      });
      const { harness, fm } = ctx;
      const workers = [harness.spawn(), harness.spawn()];
      await ready(...workers);
      const runs = 500;
      const handles = await Promise.all(Array.from({ length: runs }, (_, n) => fm.start("dag3", { n })));
      const results = Promise.all(handles.map((h) => h.wait()));
      let finished = false;
      void results.finally(() => (finished = true));

      // SIGKILL a random worker every ~1.5 s and start a replacement, while runs remain.
      const killed = new Set<number>();
      const deadline = Date.now() + 100_000;
      while (!finished && killed.size < 6 && Date.now() < deadline) {
        await sleep(1500);
        if (finished) break;
        const at = Math.floor(Math.random() * workers.length);
        const victim = workers[at]!;
        killed.add(victim.pid);
        await victim.kill();
        workers[at] = harness.spawn();
      }
      const done = await results;
      expect(killed.size).toBeGreaterThan(0);
      await checkDag3(ctx, done);

      const perTask = executionsByTask(await executions(ctx.admin, ctx.schema));
      let reExecuted = 0;
      for (const run of done) {
        const outputs = committedOutputs(run);
        for (const name of ["a", "b", "c"]) {
          const list = perTask.get(`${run.id}/${name}`) ?? [];
          const winner = list.find((e) => `${e.p}:${e.a}` === outputs[name]?.x);
          expect(winner).toBeDefined();
          // Every other execution belonged to a worker that was killed.
          for (const other of list) if (other !== winner) expect(killed.has(other.p)).toBe(true);
          reExecuted += list.length - 1;
        }
      }
      console.log(
        `[fault] kill -9: ${runs} runs, ${killed.size} workers killed, ${reExecuted} re-executions`,
      );
    },
  );

  it(
    "connection chaos: every FlowMesh connection terminated every 2 s — no crash, every run completes, no lease outlives lease + sweep",
    { timeout: 120_000 },
    async () => {
      const leaseMs = 1500;
      const sweepMs = 200;
      const ctx = await setup("chaos", {
        FM_CONCURRENCY: "8",
        FM_MIN_MS: "30",
        FM_MAX_MS: "120",
        FM_LEASE_MS: String(leaseMs),
        FM_SWEEP_MS: String(sweepMs),
      });
      const { harness, fm, admin, app } = ctx;
      const workers = [harness.spawn(), harness.spawn()];
      await ready(...workers);
      const handles = await Promise.all(Array.from({ length: 300 }, (_, n) => fm.start("dag3", { n })));
      const results = Promise.all(handles.map((h) => h.wait()));
      let finished = false;
      void results.finally(() => (finished = true));

      let rounds = 0;
      let terminated = 0;
      let worstOverdueMs = 0;
      const deadline = Date.now() + 90_000;
      while (!finished && Date.now() < deadline) {
        await sleep(2000);
        const killedNow = await admin.query<{ n: number }>(
          "SELECT count(pg_terminate_backend(pid))::integer AS n FROM pg_stat_activity WHERE application_name = $1",
          [app],
        );
        terminated += killedNow.rows[0]?.n ?? 0;
        rounds++;
        const overdue = await admin.query<{ ms: number | null }>(
          `SELECT max(extract(epoch FROM now() - lease_expires_at) * 1000)::float8 AS ms
           FROM "${ctx.schema}".tasks WHERE status = 'running'`,
        );
        worstOverdueMs = Math.max(worstOverdueMs, overdue.rows[0]?.ms ?? 0);
      }
      const done = await results;
      expect(rounds).toBeGreaterThan(0);
      expect(terminated).toBeGreaterThan(0);
      for (const worker of workers) expect(worker.alive).toBe(true);
      await checkDag3(ctx, done);
      // A lease past its expiry is returned by the next sweep; allow for the sweep, its round trip and a loaded machine.
      expect(worstOverdueMs).toBeLessThan(sweepMs + 3000);
      console.log(
        `[fault] chaos: 300 runs, ${rounds} rounds, ${terminated} connections terminated, worst overdue lease ${Math.round(worstOverdueMs)} ms`,
      );
    },
  );

  it(
    "database outage mid-load (workers cut off through a proxy): workers report unhealthy, reconnect, every run completes",
    { timeout: 120_000 },
    async () => {
      const proxy = new TcpProxy(5432);
      await proxy.start();
      const ctx = await setup("outage", { FM_CONCURRENCY: "20", FM_LEASE_MS: "1500", FM_HEALTH_MS: "100" });
      ctx.proxy = proxy;
      const { harness, fm } = ctx;
      const via = { env: { FM_DATABASE_URL: `postgres://postgres@${proxy.address}/test` } };
      const workers = [harness.spawn(via), harness.spawn(via)];
      await ready(...workers);
      const handles = await Promise.all(Array.from({ length: 100 }, (_, n) => fm.start("dag3", { n })));
      await waitFor(
        () =>
          workers.flatMap((w) => w.lines).filter((l) => l.startsWith("committed")).length >= 30
            ? true
            : undefined,
        { timeoutMs: 30_000, what: "30 committed tasks before the outage" },
      );

      await proxy.cut();
      const cutAt = workers.map((w) => w.lines.length);
      await waitFor(
        () => (workers.every((w, i) => w.lines.slice(cutAt[i]).includes("health false")) ? true : undefined),
        { timeoutMs: 15_000, what: "both workers to report unhealthy" },
      );
      // Work queued while the workers cannot reach the database.
      handles.push(
        ...(await Promise.all(Array.from({ length: 50 }, (_, n) => fm.start("dag3", { n: 100 + n })))),
      );
      await sleep(1000);
      const queued = (await fm.health()).queueDepth;
      expect(queued).toBeGreaterThan(0);
      await proxy.restore();

      const runs = await Promise.all(handles.map((h) => h.wait()));
      await checkDag3(ctx, runs);
      for (const worker of workers) {
        expect(worker.alive).toBe(true);
        const after = worker.lines.lastIndexOf("health false");
        await waitFor(() => (worker.lines.indexOf("health true", after) > after ? true : undefined), {
          timeoutMs: 15_000,
          what: `${worker.name} to report healthy again`,
        });
      }
      console.log(
        `[fault] outage: ${runs.length} runs completed, ${queued} tasks were queued during the outage`,
      );
    },
  );

  it(
    "stale worker: SIGSTOPped past its lease, taken over, then SIGCONTed — its outcome is refused",
    { timeout: 60_000 },
    async () => {
      const ctx = await setup("stale", { FM_SLOW_MS: "1500", FM_LEASE_MS: "600", FM_SWEEP_MS: "100" });
      const { harness, fm, admin, schema } = ctx;
      const stale = harness.spawn();
      await ready(stale);
      const handle = await fm.start("slow", { n: 42 });
      await stale.waitForLine(`started ${handle.id} s 1`, 20_000);
      stale.pause();
      const fresh = harness.spawn();
      await ready(fresh);
      await fresh.waitForLine(`committed ${handle.id} s`, 20_000);
      const before = await fm.getRun(handle.id);
      stale.resume();
      await stale.waitForLine(`lease_lost ${handle.id} s`, 10_000);

      const run = await fm.getRun(handle.id);
      expect(run).toEqual(before);
      expect(run?.status).toBe("succeeded");
      expect(run?.tasks.s).toMatchObject({ status: "succeeded", attempts: 2 });
      expect((run?.tasks.s?.output as { x: string }).x).toBe(`${fresh.pid}:2`);
      const events = await fm.readEvents(handle.id);
      expect(events.filter((e) => e.type === "task:succeeded")).toHaveLength(1);
      expect(events.some((e) => e.type === "task:lease_lost" && e.attempt === 1)).toBe(true);
      const records = await executions(admin, schema);
      expect(records.map((e) => [e.p, e.a])).toEqual(
        expect.arrayContaining([
          [stale.pid, 1],
          [fresh.pid, 2],
        ]),
      );
      expect(stale.lines.some((line) => line.startsWith(`committed ${handle.id}`))).toBe(false);
    },
  );

  it(
    "idempotent start: 50 concurrent starts with one key from two processes create exactly one run",
    { timeout: 60_000 },
    async () => {
      const key = `fault-${randomUUID()}`;
      const { harness, fm } = await setup("idem", { FM_ROLE: "starter", FM_KEY: key, FM_COUNT: "25" });
      const starters = [harness.spawn(), harness.spawn()];
      const lines = await Promise.all(starters.map((s) => s.waitForLine(/^starts /, 30_000)));
      const starts = lines.flatMap(
        (line) => JSON.parse(line.slice("starts ".length)) as { id: string; created: boolean }[],
      );
      expect(starts).toHaveLength(50);
      expect(new Set(starts.map((s) => s.id)).size).toBe(1);
      expect(starts.filter((s) => s.created)).toHaveLength(1);
      const listed = await fm.listRuns({ workflow: "dag3" });
      expect(listed.runs.map((r) => r.id)).toEqual([starts[0]!.id]);
      expect(listed.runs[0]?.idempotencyKey).toBe(key);
    },
  );
});
