/**
 * The metrics end to end: workflows that succeed, retry, fail, time out and
 * get cancelled, then the exact counter and histogram values scraped over
 * HTTP from the standalone listener.
 */
import { describe, expect, it } from "vitest";
import type { FlowMesh, TaskContext } from "@flowmesh/core";
import { prometheus } from "../src/index.js";
import { bucketsOf, labelsOf, metricsUrl, scrape, useEngines, valueOf } from "./support/scrape.js";

const engine = useEngines();

/** Resolves when the attempt is aborted (timeout, cancel), as a well-behaved handler does. */
function untilAborted(ctx: TaskContext): Promise<never> {
  return new Promise((_, reject) => {
    ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason as Error), { once: true });
  });
}

async function registerScenario(fm: FlowMesh): Promise<void> {
  await fm.register({
    name: "orders",
    tasks: [
      { name: "charge", handler: () => "charged" },
      {
        name: "ship",
        dependsOn: ["charge"],
        retry: { maxRetries: 2, baseDelay: "10ms", jitter: false },
        handler: (ctx) => {
          if (ctx.attempt === 1) throw new Error("carrier busy");
          return "shipped";
        },
      },
    ],
  });
  await fm.register({
    name: "flaky",
    tasks: [
      {
        name: "boom",
        retry: { maxRetries: 1, baseDelay: "10ms", jitter: false },
        handler: () => {
          throw new Error("always");
        },
      },
      { name: "after", dependsOn: ["boom"], handler: () => "never" },
    ],
  });
  await fm.register({
    name: "slow",
    tasks: [
      {
        name: "sleepy",
        timeout: "100ms",
        retry: { maxRetries: 1, baseDelay: "10ms", jitter: false },
        handler: untilAborted,
      },
    ],
  });
  await fm.register({ name: "deadline", timeout: "150ms", tasks: [{ name: "hang", handler: untilAborted }] });
  await fm.register({ name: "manual", tasks: [{ name: "wait", handler: untilAborted }] });
}

describe("metrics scraped from the standalone listener", () => {
  it("counts every outcome exactly: runs, tasks, retries, timeouts, lost leases, durations and queue waits", async () => {
    const plugin = prometheus({
      listen: { port: 0 },
      buckets: { task: [0.09, 5], workflow: [1, 60], queueWait: [60] },
    });
    const fm = engine({ plugins: [plugin], concurrency: 8 });
    await registerScenario(fm);
    const runs = await Promise.all([
      fm.start("orders"),
      fm.start("orders"),
      fm.start("flaky"),
      fm.start("slow"),
      fm.start("deadline"),
    ]);
    const manual = await fm.start("manual");
    const records = await Promise.all(runs.map((run) => run.wait()));
    expect(records.map((r) => r.status)).toEqual(["succeeded", "succeeded", "failed", "failed", "timed_out"]);
    await manual.cancel("test");
    await manual.wait();

    const { status, contentType, samples } = await scrape(metricsUrl(plugin.metrics?.address));
    expect(status).toBe(200);
    expect(contentType).toBe("text/plain; version=0.0.4; charset=utf-8");
    const v = (name: string, labels: Record<string, string> = {}) => valueOf(samples, name, labels);

    // Runs, by final status; every status of a known workflow is exported, at 0 when it never happened.
    const runsOf = (workflow: string) =>
      Object.fromEntries(
        ["succeeded", "failed", "cancelled", "timed_out"].map((s) => [
          s,
          v("flowmesh_workflows_total", { workflow, status: s }),
        ]),
      );
    expect(runsOf("orders")).toEqual({ succeeded: 2, failed: 0, cancelled: 0, timed_out: 0 });
    expect(runsOf("flaky")).toEqual({ succeeded: 0, failed: 1, cancelled: 0, timed_out: 0 });
    expect(runsOf("slow")).toEqual({ succeeded: 0, failed: 1, cancelled: 0, timed_out: 0 });
    expect(runsOf("deadline")).toEqual({ succeeded: 0, failed: 0, cancelled: 0, timed_out: 1 });
    expect(runsOf("manual")).toEqual({ succeeded: 0, failed: 0, cancelled: 1, timed_out: 0 });

    // Tasks by outcome: retried attempts are not outcomes; `after` never ran, so it has no series.
    const tasksOf = (workflow: string, task: string) =>
      Object.fromEntries(
        ["succeeded", "skipped", "failed"].map((s) => [
          s,
          v("flowmesh_tasks_total", { workflow, task, status: s }),
        ]),
      );
    expect(tasksOf("orders", "charge")).toEqual({ succeeded: 2, skipped: 0, failed: 0 });
    expect(tasksOf("orders", "ship")).toEqual({ succeeded: 2, skipped: 0, failed: 0 });
    expect(tasksOf("flaky", "boom")).toEqual({ succeeded: 0, skipped: 0, failed: 1 });
    expect(tasksOf("slow", "sleepy")).toEqual({ succeeded: 0, skipped: 0, failed: 1 });
    expect(labelsOf(samples, "flowmesh_tasks_total").some((l) => l.task === "after")).toBe(false);

    expect(v("flowmesh_task_retries_total", { workflow: "orders", task: "charge" })).toBe(0);
    expect(v("flowmesh_task_retries_total", { workflow: "orders", task: "ship" })).toBe(2);
    expect(v("flowmesh_task_retries_total", { workflow: "flaky", task: "boom" })).toBe(1);
    expect(v("flowmesh_task_retries_total", { workflow: "slow", task: "sleepy" })).toBe(1);
    expect(v("flowmesh_task_timeouts_total", { workflow: "slow", task: "sleepy" })).toBe(2);
    expect(v("flowmesh_task_timeouts_total", { workflow: "flaky", task: "boom" })).toBe(0);
    // The workflow deadline aborted `hang` mid-attempt: its outcome was discarded, as a lost lease.
    expect(v("flowmesh_task_leases_lost_total", { workflow: "deadline" })).toBe(1);
    expect(v("flowmesh_task_leases_lost_total", { workflow: "orders" })).toBe(0);

    // Attempt durations: instant attempts in the first bucket, the two timed-out ones above 0.09 s.
    expect(
      bucketsOf(samples, "flowmesh_task_duration_seconds", { workflow: "orders", task: "ship" }),
    ).toEqual({
      "0.09": 4,
      "5": 4,
      "+Inf": 4,
    });
    expect(v("flowmesh_task_duration_seconds_count", { workflow: "orders", task: "charge" })).toBe(2);
    expect(bucketsOf(samples, "flowmesh_task_duration_seconds", { workflow: "flaky", task: "boom" })).toEqual(
      {
        "0.09": 2,
        "5": 2,
        "+Inf": 2,
      },
    );
    expect(
      bucketsOf(samples, "flowmesh_task_duration_seconds", { workflow: "slow", task: "sleepy" }),
    ).toEqual({
      "0.09": 0,
      "5": 2,
      "+Inf": 2,
    });
    const sleepySum = v("flowmesh_task_duration_seconds_sum", { workflow: "slow", task: "sleepy" })!;
    // Two attempts of 100 ms each (their timeout); a timer may fire a fraction of a millisecond early.
    expect(sleepySum).toBeGreaterThanOrEqual(0.195);
    expect(sleepySum).toBeLessThan(10);
    // Lost attempts have no outcome, so no duration.
    expect(v("flowmesh_task_duration_seconds_count", { workflow: "deadline", task: "hang" })).toBeUndefined();

    // Run durations, creation to end.
    expect(
      bucketsOf(samples, "flowmesh_workflow_duration_seconds", { workflow: "orders", status: "succeeded" }),
    ).toEqual({ "1": 2, "60": 2, "+Inf": 2 });
    expect(v("flowmesh_workflow_duration_seconds_count", { workflow: "slow", status: "failed" })).toBe(1);
    expect(
      v("flowmesh_workflow_duration_seconds_sum", { workflow: "slow", status: "failed" }),
    ).toBeGreaterThanOrEqual(0.2);
    expect(v("flowmesh_workflow_duration_seconds_count", { workflow: "deadline", status: "timed_out" })).toBe(
      1,
    );
    expect(v("flowmesh_workflow_duration_seconds_count", { workflow: "orders", status: "failed" })).toBe(0);

    // Queue wait: one observation per attempt started.
    const waits = (workflow: string) => v("flowmesh_queue_wait_seconds_count", { workflow });
    expect([waits("orders"), waits("flaky"), waits("slow"), waits("deadline"), waits("manual")]).toEqual([
      6, 2, 2, 1, 1,
    ]);
    expect(bucketsOf(samples, "flowmesh_queue_wait_seconds", { workflow: "orders" })).toEqual({
      "60": 6,
      "+Inf": 6,
    });

    // Scrape-time gauges: everything finished, the worker idle.
    expect(v("flowmesh_backend_up")).toBe(1);
    expect(v("flowmesh_queue_depth")).toBe(0);
    expect(v("flowmesh_active_workflows")).toBe(0);
    expect(v("flowmesh_tasks_running")).toBe(0);
    expect(v("flowmesh_worker_slots", { state: "busy" })).toBe(0);
    expect(v("flowmesh_worker_slots", { state: "free" })).toBe(8);
    expect(v("flowmesh_lease_recoveries_total")).toBe(0);
    // Run ids never become labels.
    for (const sample of samples) {
      for (const id of records.map((r) => r.id)) expect(Object.values(sample.labels)).not.toContain(id);
    }
  });

  it("reports queue depth, active runs and busy slots while work waits, and circuit breaker states", async () => {
    const plugin = prometheus({ listen: { port: 0 } });
    const fm = engine({ plugins: [plugin], concurrency: 1 });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    await fm.register({
      name: "busy",
      tasks: ["a", "b", "c"].map((name) => ({
        name,
        handler: async () => {
          started++;
          await gate;
        },
      })),
    });
    const run = await fm.start("busy");
    await fm.start("busy");
    await expect.poll(() => started).toBe(1);
    fm.events.emit("circuit:state", { name: "payments", state: "open", previous: "closed" });
    fm.events.emit("circuit:state", { name: "mailer", state: "half_open", previous: "open" });
    fm.events.emit("circuit:state", { name: "mailer", state: "closed", previous: "half_open" });

    const { samples } = await scrape(metricsUrl(plugin.metrics?.address));
    const v = (name: string, labels: Record<string, string> = {}) => valueOf(samples, name, labels);
    expect(v("flowmesh_queue_depth")).toBe(5);
    expect(v("flowmesh_active_workflows")).toBe(2);
    expect(v("flowmesh_tasks_running")).toBe(1);
    expect(v("flowmesh_worker_slots", { state: "busy" })).toBe(1);
    expect(v("flowmesh_worker_slots", { state: "free" })).toBe(0);
    expect(v("flowmesh_circuit_breaker_state", { name: "payments" })).toBe(2);
    expect(v("flowmesh_circuit_breaker_state", { name: "mailer" })).toBe(0);
    release();
    await run.wait();
  });

  it("answers 404 off the metrics path and 405 for other methods, and serves a custom path", async () => {
    const plugin = prometheus({ listen: { port: 0 }, path: "/internal/metrics" });
    const fm = engine({ plugins: [plugin] });
    await fm.ready();
    const base = `http://${plugin.metrics!.address!.host}:${plugin.metrics!.address!.port}`;
    expect(plugin.metrics?.address?.host).toBe("127.0.0.1");
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    expect((await fetch(`${base}/internal/metrics`, { method: "POST" })).status).toBe(405);
    const ok = await scrape(`${base}/internal/metrics`);
    expect(ok.status).toBe(200);
    expect(ok.body).toContain("# TYPE flowmesh_workflows_total counter");
  });

  it("closes the listener with the engine", async () => {
    const plugin = prometheus({ listen: { port: 0 } });
    const fm = engine({ plugins: [plugin] });
    await fm.ready();
    const url = metricsUrl(plugin.metrics?.address);
    expect((await fetch(url)).status).toBe(200);
    await fm.close();
    expect(plugin.metrics).toBeUndefined();
    await expect(fetch(url)).rejects.toThrow();
  });
});
