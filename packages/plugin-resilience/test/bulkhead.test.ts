import type { FlowMeshError } from "@flowmesh/core";
import { describe, expect, it } from "vitest";
import { Bulkhead, BulkheadFullError, resilience } from "../src/index.js";
import { sleep, useEngines } from "./support.js";

const engine = useEngines();

describe("bulkhead", () => {
  it("never runs more than maxConcurrent calls of a policy at once, across tasks and runs (measured)", async () => {
    const fm = engine({
      concurrency: 50,
      plugins: [resilience({ policies: { "reports-db": { bulkhead: { maxConcurrent: 3 } } } })],
    });
    let running = 0;
    let peak = 0;
    let calls = 0;
    const handler = async (): Promise<void> => {
      running++;
      calls++;
      peak = Math.max(peak, running);
      await sleep(5 + (calls % 4) * 3);
      running--;
    };
    const tasks = Array.from({ length: 8 }, (_, i) => ({ name: `q${i}`, policies: ["reports-db"], handler }));
    await fm.register({ name: "reports", tasks });
    const runs = await Promise.all(Array.from({ length: 5 }, () => fm.start("reports")));
    const records = await Promise.all(runs.map((run) => run.wait()));
    expect(records.every((r) => r.status === "succeeded")).toBe(true);
    expect(calls).toBe(40);
    expect(peak).toBe(3);
  });

  it("queues the excess in order and fails with FM_ERR_BULKHEAD_FULL past maxQueue", async () => {
    const bulkhead = new Bulkhead("api", 1, 1);
    const signal = new AbortController().signal;
    const first = await bulkhead.enter(signal);
    const order: string[] = [];
    const second = bulkhead.enter(signal).then((release) => {
      order.push("second");
      return release;
    });
    const error = await bulkhead.enter(signal).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BulkheadFullError);
    expect((error as FlowMeshError).code).toBe("FM_ERR_BULKHEAD_FULL");
    expect((error as Error).message).toContain('policy "api": bulkhead full (1 running, 1 queued)');
    expect(bulkhead.queued).toBe(1);
    first();
    first(); // a second release is a no-op
    (await second)();
    expect(order).toEqual(["second"]);
    expect(bulkhead.active).toBe(0);
  });

  it("drops an aborted waiter from the queue with the abort reason", async () => {
    const bulkhead = new Bulkhead("api", 1);
    const release = await bulkhead.enter(new AbortController().signal);
    const controller = new AbortController();
    const waiting = bulkhead.enter(controller.signal);
    expect(bulkhead.queued).toBe(1);
    controller.abort(new Error("timed out"));
    await expect(waiting).rejects.toThrow("timed out");
    expect(bulkhead.queued).toBe(0);
    release();
    expect(bulkhead.active).toBe(0);
  });
});
