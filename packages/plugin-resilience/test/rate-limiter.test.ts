import { FlowMeshError } from "@flowmesh/core";
import { describe, expect, it } from "vitest";
import { LocalBucket, resilience } from "../src/index.js";
import { useEngines } from "./support.js";

const engine = useEngines();

describe("token bucket (fake clock)", () => {
  it("allows a burst of maxTokens, then one token per 1/refillRate, reserving in order", async () => {
    const clock = { t: 0 };
    const bucket = new LocalBucket(10, 1.0, () => clock.t);
    for (let i = 0; i < 10; i++) expect(await bucket.reserve(60_000)).toEqual({ reserved: true, waitMs: 0 });
    expect(await bucket.reserve(60_000)).toEqual({ reserved: true, waitMs: 1000 });
    expect(await bucket.reserve(60_000)).toEqual({ reserved: true, waitMs: 2000 });
    clock.t = 2000;
    // Both reserved tokens are now paid for; the next is due in one second.
    expect(await bucket.reserve(60_000)).toEqual({ reserved: true, waitMs: 1000 });
  });

  it("refuses to reserve beyond maxWait and reports when the token is due", async () => {
    const clock = { t: 0 };
    const bucket = new LocalBucket(1, 0.5, () => clock.t);
    expect(await bucket.reserve(0)).toEqual({ reserved: true, waitMs: 0 });
    expect(await bucket.reserve(1000)).toEqual({ reserved: false, waitMs: 2000 });
    clock.t = 2000;
    expect(await bucket.reserve(0)).toEqual({ reserved: true, waitMs: 0 });
  });

  it("never holds more than maxTokens after a long idle time", async () => {
    const clock = { t: 0 };
    const bucket = new LocalBucket(2, 100, () => clock.t);
    clock.t = 1_000_000;
    expect(await bucket.reserve(0)).toMatchObject({ reserved: true, waitMs: 0 });
    expect(await bucket.reserve(0)).toMatchObject({ reserved: true, waitMs: 0 });
    expect(await bucket.reserve(0)).toMatchObject({ reserved: false });
  });
});

describe("rate limiter through the engine", () => {
  it("makes tasks wait on a timer for their token: 8 calls at 20/s with a burst of 2 take ≥ 300 ms", async () => {
    const fm = engine({
      concurrency: 20,
      plugins: [resilience({ policies: { api: { rateLimiter: { maxTokens: 2, refillRate: 20 } } } })],
    });
    const at: number[] = [];
    const tasks = Array.from({ length: 8 }, (_, i) => ({
      name: `call${i}`,
      policies: ["api"],
      handler: () => void at.push(performance.now()),
    }));
    await fm.register({ name: "limited", tasks });
    const started = performance.now();
    const run = await (await fm.start("limited")).wait();
    expect(run.status).toBe("succeeded");
    expect(at).toHaveLength(8);
    // 2 at once, then one every 50 ms: the 8th at ≥ 300 ms (timers may fire a little early).
    expect(Math.max(...at) - started).toBeGreaterThanOrEqual(290);
    const sorted = [...at].sort((a, b) => a - b);
    expect(sorted[7]! - sorted[2]!).toBeGreaterThanOrEqual(240);
  });

  it("defers a task whose token is further off than maxWait, without using an attempt", async () => {
    const fm = engine({
      plugins: [
        resilience({ policies: { slow: { rateLimiter: { maxTokens: 1, refillRate: 5, maxWait: 0 } } } }),
      ],
    });
    const deferred: unknown[] = [];
    fm.events.on("task:retrying", (event) => deferred.push(event.error));
    await fm.register({
      name: "deferring",
      tasks: [
        { name: "a", policies: ["slow"], handler: (ctx) => ctx.attempt },
        { name: "b", policies: ["slow"], handler: (ctx) => ctx.attempt },
      ],
    });
    const handle = await fm.start("deferring");
    expect(await handle.result()).toEqual({ a: 1, b: 1 });
    expect(deferred).toHaveLength(1);
    expect(deferred[0]).toBeInstanceOf(FlowMeshError);
    expect((deferred[0] as FlowMeshError).code).toBe("FM_ERR_RATE_LIMITED");
    expect((await handle.wait()).tasks.b!.attempts).toBe(1);
  });

  it("stops waiting for a token when the attempt times out (the wait is bounded by the task's timeout)", async () => {
    const fm = engine({
      plugins: [
        resilience({ policies: { api: { rateLimiter: { maxTokens: 1, refillRate: 0.5, maxWait: "5s" } } } }),
      ],
    });
    await fm.register({
      name: "waits-too-long",
      tasks: [
        { name: "a", policies: ["api"], handler: () => 1 },
        { name: "b", policies: ["api"], dependsOn: ["a"], timeout: "50ms", handler: () => 2 },
      ],
    });
    const started = performance.now();
    const run = await (await fm.start("waits-too-long")).wait();
    // b's token is due in ~2 s; its 50 ms timeout ends the wait long before.
    expect(performance.now() - started).toBeLessThan(1500);
    expect(run.status).toBe("failed");
    expect(run.tasks.b!.error!.code).toBe("FM_ERR_TASK_TIMEOUT");
  });
});
