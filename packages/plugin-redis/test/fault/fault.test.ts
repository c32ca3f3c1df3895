/**
 * The five fault tests, with real worker processes (the built
 * packages) on the real Redis. Task durations are scaled down to 20–200 ms and
 * leases to 1–1.5 s so the suite stays within a few minutes on a small shared
 * machine; the shapes are the issue's.
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
import type { FlowMesh, RunHandle, RunRecord } from "@flowmesh/core";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { deletePrefix, REDIS_URL, requireRedis, uniquePrefix } from "../helpers.js";
import { apiEngine, assertBuilt, executions, WORKER_SCRIPT } from "./support.js";

await requireRedis();

interface Context {
  prefix: string;
  harness: FaultHarness;
  fm: FlowMesh;
  proxy?: TcpProxy;
}
let current: Context | undefined;

async function setup(label: string, env: Record<string, string> = {}): Promise<Context> {
  const prefix = uniquePrefix(`fault-${label}`);
  const harness = new FaultHarness({
    script: WORKER_SCRIPT,
    env: { FM_PREFIX: prefix, FM_REDIS_URL: REDIS_URL, ...env },
  });
  current = { prefix, harness, fm: await apiEngine(prefix) };
  return current;
}

afterEach(async () => {
  const ctx = current;
  current = undefined;
  if (ctx === undefined) return;
  await ctx.harness.cleanup();
  await ctx.proxy?.close();
  await ctx.fm.close();
  await deletePrefix(ctx.prefix);
});

/** Waits for every run; on timeout, fails with what is unfinished and what the workers said. */
async function settleOrExplain(
  fm: FlowMesh,
  handles: readonly RunHandle[],
  workers: readonly WorkerProcess[],
  timeoutMs: number,
): Promise<RunRecord[]> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<"timeout">(
    (resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutMs)),
  );
  const all = Promise.all(handles.map((h) => h.wait()));
  const outcome = await Promise.race([all, expired]);
  clearTimeout(timer);
  if (outcome !== "timeout") return outcome;
  const unfinished: string[] = [];
  for (const h of handles) {
    const run = await fm.getRun(h.id);
    if (run?.status !== "succeeded") {
      unfinished.push(
        `${h.id} ${run?.status}: ${Object.values(run?.tasks ?? {})
          .map((t) => `${t.name}=${t.status}/${t.attempts}`)
          .join(" ")}`,
      );
    }
  }
  const said = workers.map(
    (w) =>
      `${w.name} (pid ${w.pid}, alive ${w.alive}) last lines: ${w.lines.slice(-5).join(" | ")}; stderr: ${w.stderr.slice(-1500)}`,
  );
  throw new Error(
    `runs not finished after ${timeoutMs} ms:\n${unfinished.slice(0, 10).join("\n")}\n(${unfinished.length} in all; queue ${(await fm.health()).queueDepth})\n${said.join("\n")}`,
  );
}

async function ready(...workers: WorkerProcess[]): Promise<void> {
  await Promise.all(workers.map((w) => w.waitForLine("ready", 20_000)));
}

describe("fault tests with worker processes", () => {
  beforeAll(() => assertBuilt());

  it(
    "kill -9 under load: every run completes, one committed result per task, re-executions only of killed workers' attempts",
    { timeout: 120_000 },
    async () => {
      // The lease is above the kill interval, so a task is lost by a kill, not by an event loop this
      // loaded machine starved for a moment; the concurrency keeps the load up for several kills.
      const env = {
        FM_CONCURRENCY: "15",
        FM_LEASE_MS: "3000",
        FM_SWEEP_MS: "200",
        FM_MIN_MS: "20",
        FM_MAX_MS: "200",
      };
      const { harness, fm, prefix } = await setup("kill", env);
      const workers = [harness.spawn(), harness.spawn()];
      await ready(...workers);
      const runs = 500;
      const handles = await Promise.all(Array.from({ length: runs }, (_, n) => fm.start("dag3", { n })));
      const results = Promise.all(handles.map((h) => h.wait()));
      let finished = false;
      void results.finally(() => (finished = true));

      // SIGKILL a random worker after 1 s, then every ~2 s, and start a replacement, while runs remain.
      const killed = new Set<number>();
      const deadline = Date.now() + 90_000;
      while (!finished && killed.size < 6 && Date.now() < deadline) {
        await sleep(killed.size === 0 ? 1000 : 2000);
        if (finished) break;
        const at = Math.floor(Math.random() * workers.length);
        const victim = workers[at]!;
        killed.add(victim.pid);
        await victim.kill();
        workers[at] = harness.spawn();
      }
      const done = await results;
      expect(killed.size).toBeGreaterThan(0);

      const records = await executions(prefix);
      const perTask = executionsByTask(records);
      let reExecuted = 0;
      for (const run of done) {
        if (run.status !== "succeeded") {
          const tasks = Object.values(run.tasks).map((t) => `${t.name}=${t.status}/${t.attempts}`);
          throw new Error(`run ${run.id} ${run.status}: ${JSON.stringify(run.error)} ${tasks.join(" ")}`);
        }
        const n = (run.input as { n: number }).n;
        const values = dag3Values(n);
        const outputs = committedOutputs(run);
        for (const name of ["a", "b", "c"]) {
          expect(outputs[name]?.v).toBe(values[name]);
          const list = perTask.get(`${run.id}/${name}`) ?? [];
          // The committed result came from one of the recorded executions...
          const winner = list.find((e) => `${e.p}:${e.a}` === outputs[name]?.x);
          expect(winner).toBeDefined();
          // ...and every other execution belonged to a worker that was killed.
          for (const other of list) if (other !== winner) expect(killed.has(other.p)).toBe(true);
          reExecuted += list.length - 1;
        }
        const events = await fm.readEvents(run.id);
        for (const name of ["a", "b", "c"]) {
          expect(events.filter((e) => e.type === "task:succeeded" && e.task === name)).toHaveLength(1);
        }
      }
      console.log(
        `[fault] kill -9: ${runs} runs, ${killed.size} workers killed, ${records.length} executions, ${reExecuted} re-executions`,
      );
      expect((await fm.listRuns({ status: ["pending", "running"], limit: 10 })).runs).toEqual([]);
    },
  );

  it(
    "resumes from the last completed task: a worker killed right after task 3 of 5 commits, tasks 1–3 never run again",
    { timeout: 60_000 },
    async () => {
      const { harness, fm, prefix } = await setup("resume", { FM_STEP_MS: "150", FM_LEASE_MS: "1000" });
      const first = harness.spawn();
      await ready(first);
      const handle = await fm.start("chain5", { n: 3 });
      await first.waitForLine(`committed ${handle.id} t3`, 20_000);
      await first.kill();
      const second = harness.spawn();
      await ready(second);
      const run = await handle.wait();
      const reference = await (await fm.start("chain5", { n: 3 })).wait();

      expect(run.status).toBe("succeeded");
      const values = Object.fromEntries(Object.entries(committedOutputs(run)).map(([k, v]) => [k, v.v]));
      const uninterrupted = Object.fromEntries(
        Object.entries(committedOutputs(reference)).map(([k, v]) => [k, v.v]),
      );
      expect(values).toEqual(uninterrupted);
      expect(values).toEqual({ t1: 3, t2: 7, t3: 16, t4: 35, t5: 74 });
      const perTask = executionsByTask((await executions(prefix)).filter((e) => e.r === handle.id));
      for (const name of ["t1", "t2", "t3"]) {
        expect(perTask.get(`${handle.id}/${name}`)?.map((e) => e.p)).toEqual([first.pid]);
      }
      for (const name of ["t4", "t5"])
        expect(perTask.get(`${handle.id}/${name}`)?.at(-1)?.p).toBe(second.pid);
    },
  );

  it(
    "stale worker: SIGSTOPped past its lease, taken over, then SIGCONTed — its outcome is refused and never visible",
    { timeout: 60_000 },
    async () => {
      const { harness, fm, prefix } = await setup("stale", {
        FM_SLOW_MS: "1500",
        FM_LEASE_MS: "600",
        FM_SWEEP_MS: "100",
      });
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
      // Give the stale attempt time to finish its handler and try to report.
      await waitFor(async () => ((await executions(prefix)).length >= 2 ? true : undefined), {
        timeoutMs: 5000,
      });
      await sleep(1800);

      const run = await fm.getRun(handle.id);
      expect(run).toEqual(before);
      expect(run?.status).toBe("succeeded");
      expect(run?.tasks.s).toMatchObject({ status: "succeeded", attempts: 2 });
      expect((run?.tasks.s?.output as { x: string }).x).toBe(`${fresh.pid}:2`);
      const events = await fm.readEvents(handle.id);
      expect(events.filter((e) => e.type === "task:succeeded")).toHaveLength(1);
      expect(events.some((e) => e.type === "task:lease_lost" && e.attempt === 1)).toBe(true);
      const records = await executions(prefix);
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
    "Redis outage mid-load (workers cut off through a proxy): workers report unhealthy, then every run completes after it returns",
    { timeout: 90_000 },
    async () => {
      const proxy = new TcpProxy(6379);
      await proxy.start();
      const ctx = await setup("outage", {
        FM_CONCURRENCY: "20",
        FM_LEASE_MS: "1500",
        FM_MIN_MS: "20",
        FM_MAX_MS: "100",
        FM_HEALTH_MS: "100",
        FM_RECORD_URL: REDIS_URL,
      });
      ctx.proxy = proxy;
      const { harness, fm } = ctx;
      const workers = [
        harness.spawn({ env: { FM_REDIS_URL: `redis://${proxy.address}` } }),
        harness.spawn({ env: { FM_REDIS_URL: `redis://${proxy.address}` } }),
      ];
      await ready(...workers);
      const handles = await Promise.all(Array.from({ length: 100 }, (_, n) => fm.start("dag3", { n })));
      await waitFor(
        () =>
          workers.flatMap((w) => w.lines).filter((l) => l.startsWith("committed")).length >= 30
            ? true
            : undefined,
        {
          timeoutMs: 30_000,
          what: "30 committed tasks before the outage",
        },
      );

      await proxy.cut();
      const cutAt = workers.map((w) => w.lines.length);
      await waitFor(
        () => (workers.every((w, i) => w.lines.slice(cutAt[i]).includes("health false")) ? true : undefined),
        { timeoutMs: 15_000, what: "both workers to report unhealthy" },
      );
      // Work queued while the workers cannot reach Redis.
      handles.push(
        ...(await Promise.all(Array.from({ length: 50 }, (_, n) => fm.start("dag3", { n: 100 + n })))),
      );
      await sleep(1000);
      const queued = (await fm.health()).queueDepth;
      expect(queued).toBeGreaterThan(0);
      await proxy.restore();

      const runs = await settleOrExplain(fm, handles, workers, 60_000);
      for (const run of runs) {
        expect(run.status).toBe("succeeded");
        const n = (run.input as { n: number }).n;
        const values = Object.fromEntries(Object.entries(committedOutputs(run)).map(([k, v]) => [k, v.v]));
        expect(values).toEqual(dag3Values(n));
      }
      for (const worker of workers) {
        const after = worker.lines.lastIndexOf("health false");
        await waitFor(() => (worker.lines.indexOf("health true", after) > after ? true : undefined), {
          timeoutMs: 10_000,
          what: `${worker.name} to report healthy again`,
        });
      }
      console.log(
        `[fault] outage: ${runs.length} runs completed, ${queued} tasks were queued during the outage`,
      );
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
