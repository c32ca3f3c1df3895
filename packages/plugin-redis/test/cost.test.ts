/**
 * What a run costs Redis: the choices that keep the per-run work small
 * (signals only where awaited, one index entry for unfinished runs, hashtable
 * encoding for every run) are checked here, with their guarantees.
 */
import type { CoordinatorSignal } from "@flowmesh/core/plugin";
import { chain, claimAll } from "@flowmesh/core/testing";
import { Redis } from "ioredis";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { RedisCoordinator } from "../src/index.js";
import { deletePrefix, quietLogger, REDIS_URL, requireRedis, uniquePrefix } from "./helpers.js";

await requireRedis();
const prefix = uniquePrefix("cost");
const opened: { close(): Promise<void> }[] = [];
const clients: Redis[] = [];
afterEach(async () => {
  for (const c of opened.splice(0)) await c.close();
  for (const client of clients.splice(0)) client.disconnect();
});
afterAll(() => deletePrefix(prefix));

function request(id: string, tasks: string[]) {
  return { id, workflow: "cost", version: "1", input: null, graph: chain(...tasks), namespace: "default" };
}

async function coordinator(keyPrefix: string): Promise<RedisCoordinator> {
  const c = new RedisCoordinator({ url: REDIS_URL, keyPrefix, logger: quietLogger(), idleWakeMs: 0 });
  opened.push(c);
  await c.start();
  return c;
}

function listen(c: RedisCoordinator): CoordinatorSignal[] {
  const signals: CoordinatorSignal[] = [];
  c.subscribe((s) => signals.push(s));
  return signals;
}

/** Every message published on the prefix's signals channel from now on. */
async function channel(p: string): Promise<string[]> {
  const raw = new Redis(REDIS_URL);
  clients.push(raw);
  const published: string[] = [];
  raw.on("message", (_channel: string, message: string) => published.push(message));
  await raw.subscribe(`${p}:signals`);
  return published;
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("per-run Redis work", () => {
  it("publishes a run's end only when someone waits for it; the process that ended it hears it directly", async () => {
    const p = `${prefix}:signals`;
    const a = await coordinator(p);
    const b = await coordinator(p);
    const heardByA = listen(a);
    const heardByB = listen(b);
    const published = await channel(p);

    // Nobody waits: no message on the channel, but A (which ended it) tells its own listeners. Its
    // outcome carries the run's times (for A's log line), not its result.
    await a.createRun(request("quiet", ["only"]));
    const [quiet] = await claimAll(a);
    const ended = await a.complete(quiet!, { output: 1, durationMs: 1 });
    const stored = await a.getRun("quiet");
    expect(ended).toEqual({
      ok: true,
      runStatus: "succeeded",
      runTimes: { startedAt: stored?.startedAt, endedAt: stored?.endedAt },
    });
    expect(heardByA).toContainEqual({ type: "run-finished", runId: "quiet", status: "succeeded" });

    // B reads the unfinished run (what a waiter does first): its end is then published, and B hears
    // it with its result (B's waiters need not read it back).
    await a.createRun(request("awaited", ["only"]));
    expect((await b.getResult("awaited"))?.status).toBe("pending");
    const [awaited] = await claimAll(a);
    // The run's result comes with the outcome that ended it (A's own waiters need not read it).
    const outcome = await a.complete(awaited!, { output: 2, durationMs: 1 });
    const result = await b.getResult("awaited");
    expect(result).toMatchObject({ status: "succeeded", outputs: { only: 2 } });
    expect(outcome).toEqual({ ok: true, runStatus: "succeeded", result });
    await until(
      () => heardByB.some((s) => s.type === "run-finished" && s.runId === "awaited"),
      "B to hear the awaited run's end",
    );
    expect(heardByB).toContainEqual({ type: "run-finished", runId: "awaited", status: "succeeded", result });
    await until(() => published.some((m) => m.startsWith("f|succeeded|awaited|")), "the published end");
    expect(published.filter((m) => m.startsWith("f|"))).toHaveLength(1);
    expect(heardByB.some((s) => s.type === "run-finished" && s.runId === "quiet")).toBe(false);

    // A run read after its end is not marked: the read itself returned the result.
    expect((await b.getResult("quiet"))?.status).toBe("succeeded");
    expect(await a.client.hexists(`${p}:run:{quiet}`, "wt")).toBe(0);
  });

  it("keeps pending and running runs in one index and moves a run only when it ends", async () => {
    const p = `${prefix}:index`;
    const c = await coordinator(p);
    const raw = new Redis(REDIS_URL);
    clients.push(raw);
    await c.createRun(request("r1", ["a", "b"]));
    await c.createRun(request("r2", ["a"]));
    expect(await raw.zrange(`${p}:idx:st:active`, 0, -1)).toEqual(["r1", "r2"]);
    expect(await c.countActiveRuns()).toBe(2);

    const claimed = await claimAll(c);
    const r1a = claimed.find((t) => t.runId === "r1")!;
    expect(await c.complete(r1a, { output: 1, durationMs: 1 })).toEqual({ ok: true });
    expect((await c.listRuns({ status: "running" })).runs.map((r) => r.id)).toEqual(["r2", "r1"]);
    expect((await c.listRuns({ status: "pending" })).runs).toEqual([]);

    const r2a = claimed.find((t) => t.runId === "r2")!;
    expect(await c.complete(r2a, { output: 1, durationMs: 1 })).toMatchObject({
      ok: true,
      runStatus: "succeeded",
    });
    expect(await raw.zrange(`${p}:idx:st:active`, 0, -1)).toEqual(["r1"]);
    expect(await raw.zrange(`${p}:idx:st:succeeded`, 0, -1)).toEqual(["r2"]);
    expect((await c.listRuns({ status: ["running", "succeeded"] })).runs.map((r) => r.id)).toEqual([
      "r2",
      "r1",
    ]);
    expect(await c.countActiveRuns()).toBe(1);
    // No per-status index for pending or running is kept.
    expect(await raw.exists(`${p}:idx:st:pending`, `${p}:idx:st:running`)).toBe(0);
  });

  it("creates a burst of large runs started in one tick (bounded arguments per script call)", async () => {
    const c = await coordinator(`${prefix}:burst`);
    const evalshas = vi.spyOn(c.client, "evalsha");
    const names = Array.from({ length: 60 }, (_, i) => `t${i}`);
    const ids = Array.from({ length: 200 }, (_, i) => `burst-${i}`);
    // A graph object per run: 200 templates of ~500 values each, far more than one call may carry.
    const created = await Promise.all(ids.map((id) => c.createRun(request(id, names))));
    expect(created.every((r) => r.created)).toBe(true);
    const sizes = evalshas.mock.calls.map((call) => call.length);
    expect(sizes.length).toBeGreaterThan(10);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(8_192 + 4);
    expect((await c.getRun("burst-199"))?.taskOrder).toHaveLength(60);
    expect(await c.queueDepth()).toBe(200);
  });

  it("creates runs of several graphs and namespaces started in one tick, each from its own template", async () => {
    const c = await coordinator(`${prefix}:templates`);
    const evalshas = vi.spyOn(c.client, "evalsha");
    const chain3 = chain("a", "b", "c");
    const single = chain("only");
    const requests = [
      { ...request("t1", []), graph: chain3 },
      { ...request("t2", []), graph: single, workflow: "other", version: "2" },
      { ...request("t3", []), graph: chain3, namespace: "tenant" },
      {
        ...request("t4", []),
        graph: single,
        workflow: "other",
        version: "2",
        input: { big: "x".repeat(50) },
      },
    ];
    const more = Array.from({ length: 16 }, (_, i) => ({ ...request(`more-${i}`, []), graph: chain3 }));
    await Promise.all([...requests, ...more].map((r) => c.createRun(r)));
    // One script call for all 20, each of the three templates sent once: a run of the 3-task chain carrying
    // its graph would take ~50 arguments, and 20 runs ~850; with their templates they take about 300.
    const creates = evalshas.mock.calls.filter((call) => call.length > 20);
    expect(creates).toHaveLength(1);
    expect(creates[0]!.length).toBeLessThan(320);
    const runs = await Promise.all(requests.map((r) => c.getRun(r.id)));
    expect(runs.map((r) => [r?.workflow, r?.version, r?.namespace, r?.taskOrder])).toEqual([
      ["cost", "1", "default", ["a", "b", "c"]],
      ["other", "2", "default", ["only"]],
      ["cost", "1", "tenant", ["a", "b", "c"]],
      ["other", "2", "default", ["only"]],
    ]);
    expect(runs[3]?.input).toEqual({ big: "x".repeat(50) });
    expect((await c.listRuns({ namespace: "tenant" })).runs.map((r) => r.id)).toEqual(["t3"]);
    expect((await c.listRuns({ workflow: "other" })).runs.map((r) => r.id).sort()).toEqual(["t2", "t4"]);
    // Only the root tasks are queued.
    const claimed = await claimAll(c);
    expect(claimed).toHaveLength(20);
    expect(
      claimed
        .filter((t) => !t.runId.startsWith("more-"))
        .map((t) => `${t.runId}:${t.task}`)
        .sort(),
    ).toEqual(["t1:a", "t2:only", "t3:a", "t4:only"]);
  });

  it("stores every run's hash as a hashtable from the start, small or large", async () => {
    const p = `${prefix}:encoding`;
    const c = await coordinator(p);
    const raw = new Redis(REDIS_URL);
    clients.push(raw);
    const names = Array.from({ length: 20 }, (_, i) => `t${i}`);
    await c.createRun(request("large", names));
    await c.createRun(request("small", ["only"]));
    expect(await raw.object("ENCODING", `${p}:run:{large}`)).toBe("hashtable");
    expect(await raw.object("ENCODING", `${p}:run:{small}`)).toBe("hashtable");
    // The padding field is invisible in the record.
    const run = await c.getRun("large");
    expect(run?.taskOrder).toEqual(names);
    expect(Object.keys(run ?? {})).not.toContain("hx");
  });
});
