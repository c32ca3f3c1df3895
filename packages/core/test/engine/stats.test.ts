/**
 * Load figures for metrics: `engine.stats()` (also on a plugin's context)
 * reports the backend's queue depth and unfinished runs and this engine's
 * worker slots; the sweep announces the leases it recovered.
 */
import { describe, expect, it } from "vitest";
import { definePlugin, MemoryCoordinator } from "../../src/index.js";
import type { PluginContext } from "../../src/index.js";
import type { LeaseRef } from "../../src/plugin.js";
import { deferred, until, useEngines } from "../support/engine.js";
import { within } from "../support/within.js";

const engine = useEngines();

describe("engine.stats()", () => {
  it("reports queue depth, unfinished runs and busy slots while work runs, and zeros once it is done", async () => {
    const fm = engine({ concurrency: 2 });
    const gate = deferred();
    let started = 0;
    await fm.register({
      name: "wide",
      tasks: ["a", "b", "c"].map((name) => ({
        name,
        handler: async () => {
          started++;
          await gate.promise;
          return name;
        },
      })),
    });
    const first = await fm.start("wide");
    const second = await fm.start("wide");
    await until(() => started === 2, "two attempts running");
    // Two slots busy; the other four tasks of the two runs wait in the queue.
    expect(await fm.stats()).toEqual({
      backend: "memory",
      queueDepth: 4,
      activeRuns: 2,
      worker: { concurrency: 2, running: 2, healthy: true },
    });
    gate.resolve();
    await within(Promise.all([first.result(), second.result()]), 5000, "both runs");
    expect(await fm.stats()).toEqual({
      backend: "memory",
      queueDepth: 0,
      activeRuns: 0,
      worker: { concurrency: 2, running: 0, healthy: true },
    });
  });

  it("reports no worker for an engine that runs none, and no active runs for a backend that cannot count them", async () => {
    const coordinator = new MemoryCoordinator();
    Object.defineProperty(coordinator, "countActiveRuns", { value: undefined });
    const fm = engine({ backend: coordinator, worker: false });
    await fm.register({ name: "one", tasks: [{ name: "a", handler: () => 1 }] });
    await fm.start("one");
    expect(await fm.stats()).toEqual({
      backend: "memory",
      queueDepth: 1,
      activeRuns: undefined,
      worker: undefined,
    });
  });

  it("is offered to plugins on their context", async () => {
    let context: PluginContext | undefined;
    const probe = definePlugin({
      name: "probe",
      setup(ctx) {
        context = ctx;
      },
    });
    const fm = engine({ plugins: [probe()], concurrency: 3 });
    await fm.ready();
    expect(await context?.stats()).toEqual({
      backend: "memory",
      queueDepth: 0,
      activeRuns: 0,
      worker: { concurrency: 3, running: 0, healthy: true },
    });
  });
});

/** The memory backend on a stalled worker: heartbeats neither extend nor report a lease, so it expires. */
class StalledHeartbeats extends MemoryCoordinator {
  override async heartbeat(_leases: readonly LeaseRef[]): Promise<LeaseRef[]> {
    return [];
  }
}

describe("worker:recovered", () => {
  it("announces how many expired leases the sweep returned to the queue", async () => {
    const fm = engine({ backend: new StalledHeartbeats(), lease: "100ms", sweepInterval: "40ms" });
    const recovered: number[] = [];
    fm.events.on("worker:recovered", ({ leases }) => recovered.push(leases));
    const attempts: number[] = [];
    const released = deferred();
    await fm.register({
      name: "stalls",
      tasks: [
        {
          name: "t",
          handler: async (ctx) => {
            attempts.push(ctx.attempt);
            // The first attempt outlives its lease; the recovered second one returns at once.
            if (ctx.attempt === 1) await released.promise;
            return ctx.attempt;
          },
        },
      ],
    });
    const handle = await fm.start("stalls");
    await until(() => attempts.includes(2), "the recovered attempt", 5000);
    released.resolve();
    expect(await within(handle.result(), 5000, "the run")).toEqual({ t: 2 });
    expect(recovered).toEqual([1]);
  });
});

describe("events for metrics", () => {
  it("announces every run's end with run:ended, whatever ended it, without reading the record", async () => {
    const fm = engine({ concurrency: 4 });
    const ended: { workflow: string; status: string; runId: string }[] = [];
    fm.events.on("run:ended", (e) => ended.push(e));
    await fm.register({ name: "ok", tasks: [{ name: "a", handler: () => 1 }] });
    await fm.register({
      name: "bad",
      tasks: [
        {
          name: "a",
          handler: () => {
            throw new Error("no");
          },
        },
      ],
    });
    const hang = {
      name: "a",
      handler: (ctx: { signal: AbortSignal }) =>
        new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject(new Error("aborted")))),
    };
    await fm.register({ name: "late", timeout: "100ms", tasks: [hang] });
    await fm.register({ name: "stopped", tasks: [hang] });
    const runs = await Promise.all(["ok", "bad", "late"].map((name) => fm.start(name)));
    const stopped = await fm.start("stopped");
    await Promise.all(runs.map((run) => within(run.wait(), 5000, "a run")));
    await stopped.cancel();
    expect(ended.map(({ workflow, status }) => `${workflow}:${status}`).sort()).toEqual([
      "bad:failed",
      "late:timed_out",
      "ok:succeeded",
      "stopped:cancelled",
    ]);
    expect(ended.find((e) => e.workflow === "ok")?.runId).toBe(runs[0]!.id);
  });

  it("repeats queueWaitMs on task:succeeded, task:failed and task:lease_lost", async () => {
    const fm = engine({ concurrency: 1 });
    const waits: Record<string, number> = {};
    fm.events.on("task:succeeded", (e) => (waits[`${e.task}:succeeded`] = e.queueWaitMs));
    fm.events.on("task:failed", (e) => (waits[`${e.task}:failed`] = e.queueWaitMs));
    await fm.register({
      name: "queue",
      tasks: [
        { name: "first", handler: () => new Promise((resolve) => setTimeout(resolve, 80)) },
        {
          name: "second",
          handler: () => {
            throw new Error("no");
          },
        },
      ],
    });
    await (await fm.start("queue")).wait();
    // One slot: whichever task ran second waited for the other's 80 ms.
    const first = waits["first:succeeded"]!;
    const second = waits["second:failed"]!;
    expect(Math.min(first, second)).toBeGreaterThanOrEqual(0);
    expect(Math.max(first, second)).toBeGreaterThanOrEqual(60);

    const stalled = engine({ backend: new StalledHeartbeats(), lease: "100ms", sweepInterval: "40ms" });
    const lost: number[] = [];
    stalled.events.on("task:lease_lost", (e) => lost.push(e.queueWaitMs));
    const release = deferred();
    await stalled.register({
      name: "stalls",
      tasks: [
        {
          name: "t",
          handler: async (ctx) => {
            if (ctx.attempt === 1) await release.promise;
            return ctx.attempt;
          },
        },
      ],
    });
    const handle = await stalled.start("stalls");
    // The recovered second attempt ends the run; the first one's late outcome is then refused.
    expect(await within(handle.result(), 5000, "the recovered run")).toEqual({ t: 2 });
    release.resolve();
    await until(() => lost.length === 1, "the first attempt's discarded outcome", 5000);
    expect(lost[0]).toBeGreaterThanOrEqual(0);
  });
});
