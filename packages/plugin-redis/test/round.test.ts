/** The round script: a worker's outcomes and its next claim in one call, each part failing alone. */
import { chain, claimAll } from "@flowmesh/core/testing";
import { describe, expect, it } from "vitest";
import { redisTestKit, requireRedis } from "./helpers.js";

await requireRedis();
const kit = redisTestKit("round");
const prefix = kit.prefix;

describe("the round script", () => {
  it("commits the outcomes of a round whose claim fails, and reports only the claim's error", async () => {
    const c = await kit.coordinator();
    const raw = kit.raw();
    const id = `round-${Date.now()}`;
    await c.createRun({
      id,
      workflow: "round",
      version: "1",
      input: 1,
      graph: chain("a"),
      namespace: "default",
    });
    const [claimed] = await claimAll(c);
    // A queue entry whose run key is not a hash: claiming it raises WRONGTYPE inside the script.
    await raw.set(`${prefix}:run:{broken}`, "not a hash");
    await raw.zadd(`${prefix}:ready`, 0, "broken|0");
    // Same tick: one round carries the completion and the claim.
    const [outcome, claim] = await Promise.allSettled([
      c.complete(claimed!, { output: 1, durationMs: 1 }),
      c.claim({ workerId: "w", max: 5, leaseMs: 30_000 }),
    ]);
    expect(outcome).toEqual({ status: "fulfilled", value: { ok: true, runStatus: "succeeded" } });
    expect(claim.status).toBe("rejected");
    expect((claim as PromiseRejectedResult).reason).toMatchObject({ code: "FM_ERR_BACKEND" });
    expect(String((claim as PromiseRejectedResult).reason)).toMatch(/claim failed: .*WRONGTYPE/);
    expect((await c.getRun(id))?.status).toBe("succeeded");
    // The next round works again.
    expect(await c.claim({ workerId: "w", max: 5, leaseMs: 30_000 })).toEqual([]);
  });
});
