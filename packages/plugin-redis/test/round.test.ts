/** The round script: a worker's outcomes and its next claim in one call, each part failing alone. */
import type { Coordinator } from "@flowmesh/core/plugin";
import { chain, claimAll } from "@flowmesh/core/testing";
import { describe, expect, it } from "vitest";
import { redisTestKit, requireRedis } from "./helpers.js";

await requireRedis();
const kit = redisTestKit("round");
const prefix = kit.prefix;

/** A one-task run (task "a"). */
async function createSingle(c: Coordinator, id: string): Promise<void> {
  await c.createRun({
    id,
    workflow: "round",
    version: "1",
    input: 1,
    graph: chain("a"),
    namespace: "default",
  });
}

describe("the round script", () => {
  it("commits the outcomes of a round whose claim fails, and reports only the claim's error", async () => {
    const c = await kit.coordinator();
    const raw = kit.raw();
    const id = `round-${Date.now()}`;
    await createSingle(c, id);
    const [claimed] = await claimAll(c);
    // A queue entry whose run key is not a hash: claiming it raises WRONGTYPE inside the script.
    await raw.set(`${prefix}:run:{broken}`, "not a hash");
    await raw.zadd(`${prefix}:ready`, 0, "broken|0");
    // Same tick: one round carries the completion and the claim.
    const [outcome, claim] = await Promise.allSettled([
      c.complete(claimed!, { output: 1, durationMs: 1 }),
      c.claim({ workerId: "w", max: 5, leaseMs: 30_000 }),
    ]);
    expect(outcome).toMatchObject({ status: "fulfilled", value: { ok: true, runStatus: "succeeded" } });
    expect(claim.status).toBe("rejected");
    expect((claim as PromiseRejectedResult).reason).toMatchObject({ code: "FM_ERR_BACKEND" });
    expect(String((claim as PromiseRejectedResult).reason)).toMatch(/claim failed: .*WRONGTYPE/);
    expect((await c.getRun(id))?.status).toBe("succeeded");
    // The next round works again.
    expect(await c.claim({ workerId: "w", max: 5, leaseMs: 30_000 })).toEqual([]);
  });

  it("returns an awaited run's result with the outcome that ended it, and only its times otherwise", async () => {
    const c = await kit.coordinator();
    const stamp = Date.now();
    const awaited = `awaited-${stamp}`;
    const unawaited = `unawaited-${stamp}`;
    for (const id of [awaited, unawaited]) await createSingle(c, id);
    // Reading the result of an unfinished run marks it awaited.
    expect((await c.getResult(awaited))?.status).toBe("pending");
    const claimed = (await claimAll(c)).filter((t) => t.runId === awaited || t.runId === unawaited);
    const byRun = new Map(claimed.map((t) => [t.runId, t]));
    const [first, second] = await Promise.all([
      c.complete(byRun.get(awaited)!, { output: { n: 1 }, durationMs: 1 }),
      c.complete(byRun.get(unawaited)!, { output: 2, durationMs: 1 }),
    ]);
    expect(first).toEqual({ ok: true, runStatus: "succeeded", result: await c.getResult(awaited) });
    expect((first as { result?: { outputs: unknown } }).result?.outputs).toEqual({ a: { n: 1 } });
    const stored = await c.getRun(unawaited);
    expect(second).toEqual({
      ok: true,
      runStatus: "succeeded",
      runTimes: { startedAt: stored?.startedAt, endedAt: stored?.endedAt },
    });
  });

  it("applies the index and lease writes of the outcomes committed before one that fails", async () => {
    const c = await kit.coordinator();
    const raw = kit.raw();
    const id = `partial-${Date.now()}`;
    await createSingle(c, id);
    const claimed = (await claimAll(c)).find((t) => t.runId === id)!;
    expect(await raw.zscore(`${prefix}:leases`, `${id}|0`)).not.toBeNull();
    // The second outcome's run key is not a hash: the outcomes part fails with WRONGTYPE after the first
    // outcome committed. Its lease release and index move (gathered into one write per set) still land.
    await raw.set(`${prefix}:run:{broken-${id}}`, "not a hash");
    const results = await Promise.allSettled([
      c.complete(claimed, { output: 1, durationMs: 1 }),
      c.complete({ runId: `broken-${id}`, task: "a", token: "0:1" }, { output: 1, durationMs: 1 }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect((await c.getRun(id))?.status).toBe("succeeded");
    expect(await raw.zscore(`${prefix}:leases`, `${id}|0`)).toBeNull();
    expect(await raw.zscore(`${prefix}:idx:st:active`, id)).toBeNull();
    expect(await raw.zscore(`${prefix}:idx:st:succeeded`, id)).not.toBeNull();
  });
});
