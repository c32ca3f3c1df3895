import { chain, claimAll, diamond, sleep } from "@flowmesh/core/testing";
import { afterEach, describe, expect, it, vi } from "vitest";
import { redisTestKit, requireRedis } from "./helpers.js";

await requireRedis();
const kit = redisTestKit("leases");
const coordinator = () => kit.coordinator();
afterEach(() => {
  vi.restoreAllMocks();
});

async function redisNow(): Promise<number> {
  const [s, us] = await kit.raw().time();
  return Number(s) * 1000 + Math.floor(Number(us) / 1000);
}

describe("fencing on Redis time", () => {
  it("times leases with Redis TIME, whatever the worker's clock says", async () => {
    const c = await coordinator();
    const id = `time-${Date.now()}`;
    await c.createRun({
      id,
      workflow: "leases",
      version: "1",
      input: 1,
      graph: chain("a"),
      namespace: "default",
    });
    // A worker whose clock is a day off changes nothing: no lease time comes from it.
    vi.spyOn(Date, "now").mockReturnValue(Date.now() + 86_400_000);
    const before = await redisNow();
    const [claimed] = await claimAll(c, { leaseMs: 400 });
    const after = await redisNow();
    expect(claimed?.leaseExpiresAt).toBeGreaterThanOrEqual(before + 400);
    expect(claimed?.leaseExpiresAt).toBeLessThanOrEqual(after + 400);
    expect(await c.heartbeat([claimed!], 400)).toEqual([]);
    await sleep(600);
    // Expired by Redis time: refused, though the skewed local clock would not matter either way.
    expect(await c.complete(claimed!, { output: 1, durationMs: 1 })).toEqual({
      ok: false,
      reason: "lease_lost",
    });
    expect(await c.heartbeat([claimed!], 400)).toHaveLength(1);
    expect((await c.recover()).leases).toBeGreaterThanOrEqual(1);
    const [again] = await claimAll(c);
    expect(again).toMatchObject({ task: "a", attempt: 2 });
    expect(await c.fail(claimed!, { error: { name: "Error", message: "late" }, durationMs: 1 })).toEqual({
      ok: false,
      reason: "lease_lost",
    });
    expect(await c.complete(again!, { output: 2, durationMs: 1 })).toMatchObject({
      ok: true,
      runStatus: "succeeded",
    });
  });

  it("makes a fan-in task ready exactly once when two coordinators (two connections) complete its parents at the same moment", async () => {
    const [one, two] = [await coordinator(), await coordinator()];
    const ids = Array.from({ length: 30 }, (_, i) => `fanin-${Date.now()}-${i}`);
    await Promise.all(
      ids.map((id) =>
        one.createRun({
          id,
          workflow: "fanin",
          version: "1",
          input: null,
          graph: diamond(),
          namespace: "default",
        }),
      ),
    );
    for (const t of await claimAll(one, { max: 64 })) await one.complete(t, { output: "A", durationMs: 1 });
    const middle = await claimAll(two, { max: 64 });
    expect(middle).toHaveLength(60);
    // b on one connection, c on the other, fired together.
    const results = await Promise.all(
      middle.map((t) => (t.task === "b" ? one : two).complete(t, { output: t.task, durationMs: 1 })),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    const bottoms = [...(await claimAll(one, { max: 64 })), ...(await claimAll(two, { max: 64 }))];
    expect(bottoms.map((t) => t.task)).toEqual(ids.map(() => "d"));
    expect(new Set(bottoms.map((t) => t.runId)).size).toBe(30);
    for (const t of bottoms) expect(t.deps).toEqual({ b: "b", c: "c" });
    for (const id of ids) {
      const started = (await one.readEvents(id)).filter((e) => e.type === "task:started" && e.task === "d");
      expect(started).toHaveLength(1);
    }
  });
});

describe("event streams", () => {
  it("uses stream ids as event ids and resumes after any id as more events arrive", async () => {
    const c = await coordinator();
    const id = `events-${Date.now()}`;
    await c.createRun({
      id,
      workflow: "events",
      version: "1",
      input: null,
      graph: chain("a", "b"),
      namespace: "default",
    });
    const first = await c.readEvents(id);
    expect(first.map((e) => e.type)).toEqual(["run:created"]);
    expect(first[0]?.id).toMatch(/^\d+-\d+$/);
    const raw = await kit.raw().xrange(`${c.keyPrefix}run:{${id}}:ev`, "-", "+");
    expect(raw.map(([entryId]) => entryId)).toEqual([first[0]?.id]);
    const [a] = await claimAll(c);
    await c.complete(a!, { output: 1, durationMs: 3 });
    const next = await c.readEvents(id, { after: first[0]!.id });
    expect(next.map((e) => e.type)).toEqual(["run:started", "task:started", "task:succeeded"]);
    expect(next[2]).toMatchObject({ task: "a", attempt: 1, durationMs: 3 });
    expect(await c.readEvents(id, { after: next[2]!.id })).toEqual([]);
    const [b] = await claimAll(c);
    await c.complete(b!, { output: 2, durationMs: 1 });
    const rest = await c.readEvents(id, { after: next[2]!.id });
    expect(rest.map((e) => e.type)).toEqual(["task:started", "task:succeeded", "run:succeeded"]);
    await expect(c.readEvents(id, { after: "7" })).rejects.toMatchObject({ code: "FM_ERR_INVALID_OPTIONS" });
  });
});

describe("getResult", () => {
  it("returns status and outputs once succeeded, the error once failed, and undefined for an unknown run", async () => {
    const c = await coordinator();
    const ok = `result-ok-${Date.now()}`;
    const bad = `result-bad-${Date.now()}`;
    for (const id of [ok, bad]) {
      await c.createRun({
        id,
        workflow: "results",
        version: "1",
        input: null,
        graph: chain("a", "b"),
        namespace: "default",
      });
    }
    expect(await c.getResult(ok)).toMatchObject({ status: "pending", outputs: {} });
    for (const t of await claimAll(c)) {
      if (t.runId === ok) await c.complete(t, { output: { n: 1 }, durationMs: 1 });
      else await c.fail(t, { error: { name: "Error", message: "no" }, durationMs: 1, downstream: ["b"] });
    }
    const [b] = await claimAll(c);
    expect(b?.runId).toBe(ok);
    await c.complete(b!, { output: undefined, durationMs: 1 });
    const result = await c.getResult(ok);
    expect(result).toMatchObject({ status: "succeeded", outputs: { a: { n: 1 }, b: undefined } });
    expect(Object.keys(result!.outputs)).toEqual(["a", "b"]);
    expect(result?.endedAt).toBeGreaterThanOrEqual(result!.startedAt!);
    expect(await c.getResult(bad)).toMatchObject({
      status: "failed",
      outputs: {},
      error: { message: "no", task: "a" },
    });
    expect(await c.getResult(`missing-${Date.now()}`)).toBeUndefined();
  });
});
