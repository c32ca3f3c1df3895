/**
 * A RunStore whose save fails: a run's final state that could not be saved
 * is saved again by the sweep (and only then announced), and a run whose
 * first save failed was never created: none of its tasks runs.
 */
import { describe, expect, it } from "vitest";
import type { RunRecord } from "../../src/index.js";
import { MapRunStore, sleep, useEngines } from "../support/engine.js";
import { within } from "../support/within.js";

const engine = useEngines();

/** A MapRunStore whose next save matching `failNext` throws (once). */
class FlakyStore extends MapRunStore {
  failNext: ((run: RunRecord) => boolean) | undefined;
  readonly failed: RunRecord[] = [];

  override async save(run: RunRecord): Promise<void> {
    if (this.failNext?.(run) === true) {
      this.failNext = undefined;
      this.failed.push(structuredClone(run));
      throw new Error("disk full");
    }
    return super.save(run);
  }
}

describe("a failed save of a run's final state", () => {
  it("is saved again by the sweep, which then releases result()", async () => {
    const store = new FlakyStore();
    store.failNext = (run) => run.status === "succeeded";
    const fm = engine({ backend: store, sweepInterval: "50ms" });
    const workerErrors: unknown[] = [];
    fm.events.on("worker:error", ({ error }) => workerErrors.push(error));
    await fm.register({
      name: "wf",
      tasks: [
        {
          name: "t",
          handler: async () => {
            await sleep(20);
            return "done";
          },
        },
      ],
    });
    const handle = await fm.start("wf");
    // Waiting before the task ends: only the run's "finished" announcement can release it.
    const result = handle.result();
    const outputs = await within(result, 1000, "result() after the sweep re-saved the run");
    expect(outputs).toEqual({ t: "done" });
    expect(store.failed.map((r) => r.status)).toEqual(["succeeded"]);
    expect(workerErrors.map((e) => (e as Error).message)).toEqual(["disk full"]);
    const saved = store.records.get(handle.id)!;
    expect(saved.status).toBe("succeeded");
    expect(saved.tasks.t).toMatchObject({ status: "succeeded", attempts: 1, output: "done" });
  });
});

describe("a failed first save", () => {
  it("makes start() reject, and no task of that run ever runs", async () => {
    const store = new FlakyStore();
    store.failNext = () => true;
    // A short lease: a task claimed from the unsaved run would be recovered and run within the test.
    const fm = engine({ backend: store, lease: "100ms", sweepInterval: "50ms" });
    let calls = 0;
    await fm.register({ name: "wf", tasks: [{ name: "t", handler: () => ++calls }] });
    await expect(fm.start("wf", undefined, { idempotencyKey: "k" })).rejects.toThrow("disk full");
    // Long enough for a claim, a lease to expire and a sweep to find anything left behind.
    await sleep(250);
    expect(calls).toBe(0);
    expect(store.failed).toHaveLength(1);
    expect(store.records.size).toBe(0);
    expect((await fm.listRuns()).runs).toEqual([]);
    expect(await fm.getRun(store.failed[0]!.id)).toBeUndefined();

    // The key was not taken by the run that was never created.
    const handle = await fm.start("wf", undefined, { idempotencyKey: "k" });
    expect(handle.created).toBe(true);
    expect(await within(handle.result(), 1000, "the second start to run")).toEqual({ t: 1 });
    expect(calls).toBe(1);
  });
});
