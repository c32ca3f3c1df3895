/**
 * Eager start on Redis: the create script leases a new run's roots to the
 * starting worker. Beyond the conformance tests: batches mixing eager and
 * plain runs, whole-number arguments, and an engine whose in-process starts
 * skip the claim.
 */
import { randomUUID } from "node:crypto";
import { createFlowMesh, type FlowMesh } from "@flowmesh/core";
import { sleep } from "@flowmesh/core/testing";
import type { CreateRunRequest, RunGraph } from "@flowmesh/core/plugin";
import { afterEach, describe, expect, it, vi } from "vitest";
import { quietLogger, redisTestKit, requireRedis } from "./helpers.js";

await requireRedis();
const kit = redisTestKit("eager");
const engines: FlowMesh[] = [];
afterEach(async () => {
  for (const fm of engines.splice(0)) await fm.close();
});

const two: RunGraph = {
  tasks: [
    { name: "a", dependsOn: [], priority: 0 },
    { name: "b", dependsOn: [], priority: 3 },
  ],
};

function request(graph: RunGraph, claim?: CreateRunRequest["claim"]): CreateRunRequest {
  return {
    id: randomUUID(),
    workflow: "wf",
    version: "1",
    namespace: "default",
    input: { n: 1 },
    graph,
    claim,
  };
}

describe("eager start on redis", () => {
  it("leases only for the runs that ask, in a batch mixing eager and plain runs", async () => {
    const c = await kit.coordinator();
    const claim = { workerId: "w", max: 1, leaseMs: 30_000 };
    const [eager, plain, both] = await Promise.all([
      c.createRun(request(two, claim)),
      c.createRun(request(two)),
      c.createRun(request(two, { ...claim, max: 5 })),
    ]);
    expect(eager.claimed?.map((t) => t.task)).toEqual(["b"]);
    expect(plain.claimed).toBeUndefined();
    expect(both.claimed?.map((t) => t.task)).toEqual(["b", "a"]);
    expect(eager.run.status).toBe("running");
    expect(plain.run.status).toBe("pending");
    // Queued: eager's "a" and plain's two roots.
    expect(await c.queueDepth()).toBe(3);
  });

  it("rounds a fractional max and lease to whole numbers instead of failing the batch", async () => {
    const c = await kit.coordinator();
    const created = await c.createRun(request(two, { workerId: "w", max: 1.7, leaseMs: 1000.5 }));
    expect(created.claimed?.map((t) => t.task)).toEqual(["b"]);
    const lease = created.claimed![0]!;
    expect(lease.leaseExpiresAt - lease.readyAt).toBeGreaterThanOrEqual(1001 - 5);
    expect(lease.leaseExpiresAt - lease.readyAt).toBeLessThanOrEqual(1001 + 5);
    const none = await c.createRun(request(two, { workerId: "w", max: 0.4, leaseMs: 1000 }));
    expect(none.claimed).toBeUndefined();
  });

  it("an engine starting runs while its worker is idle leases their roots with the creation", async () => {
    const backend = await kit.coordinator();
    const fm = createFlowMesh({ backend, logger: quietLogger(), concurrency: 2 });
    engines.push(fm);
    await fm.register({ name: "one", tasks: [{ name: "t", handler: (ctx) => ctx.input }] });
    await fm.ready();
    // The worker's first claim (at start) comes back empty: from then on it is idle.
    await sleep(50);
    const creates = vi.spyOn(backend, "createRun");
    const claims = vi.spyOn(backend, "claim");
    for (let i = 0; i < 5; i++) expect(await (await fm.start("one", i)).result()).toEqual({ t: i });
    const results = await Promise.all(
      creates.mock.results.map((r) => r.value as ReturnType<typeof backend.createRun>),
    );
    expect(creates.mock.calls.map(([req]) => req.claim?.max)).toEqual([1, 1, 1, 1, 1]);
    expect(results.map((r) => r.claimed?.length)).toEqual([1, 1, 1, 1, 1]);
    // No claim took a root: any claim made came back empty (riding along with an outcome).
    const claimed = await Promise.all(claims.mock.results.map((r) => r.value as Promise<unknown[]>));
    expect(claimed.flat()).toEqual([]);
  });
});
