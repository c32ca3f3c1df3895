/**
 * Registries: one per engine by default (never prom-client's global one), a
 * registry passed in is shared and left clean on close, default process
 * metrics only on request, and the label caps that keep cardinality bounded.
 */
import { describe, expect, it } from "vitest";
import { FlowMeshError } from "@flowmesh/core";
import client from "prom-client";
import { OTHER, prometheus } from "../src/index.js";
import { labelsOf, parseSamples, useEngines, valueOf } from "./support/scrape.js";

const engine = useEngines();

async function runOnce(fm: ReturnType<ReturnType<typeof useEngines>>, workflow: string): Promise<void> {
  await fm.register({ name: workflow, tasks: [{ name: "t", handler: () => 1 }] });
  await (await fm.start(workflow)).wait();
}

describe("registries", () => {
  it("gives each engine a registry of its own, never the global one", async () => {
    const a = prometheus();
    const b = prometheus();
    const first = engine({ plugins: [a] });
    const second = engine({ plugins: [b] });
    await runOnce(first, "alpha");
    await runOnce(first, "alpha");
    await runOnce(second, "beta");
    const fromA = parseSamples((await a.metrics!.scrape()).body);
    const fromB = parseSamples((await b.metrics!.scrape()).body);
    expect(valueOf(fromA, "flowmesh_workflows_total", { workflow: "alpha", status: "succeeded" })).toBe(2);
    expect(
      valueOf(fromA, "flowmesh_workflows_total", { workflow: "beta", status: "succeeded" }),
    ).toBeUndefined();
    expect(valueOf(fromB, "flowmesh_workflows_total", { workflow: "beta", status: "succeeded" })).toBe(1);
    expect(
      valueOf(fromB, "flowmesh_workflows_total", { workflow: "alpha", status: "succeeded" }),
    ).toBeUndefined();
    expect(a.metrics!.registry).not.toBe(b.metrics!.registry);
    expect(a.metrics!.registry).not.toBe(client.register);
    expect(client.register.getSingleMetric("flowmesh_workflows_total")).toBeUndefined();
  });

  it("uses a registry passed in, next to the host's own metrics, and removes its metrics on close", async () => {
    const registry = new client.Registry();
    const own = new client.Counter({ name: "app_logins_total", help: "logins", registers: [registry] });
    own.inc(3);
    const plugin = prometheus({ registry });
    const fm = engine({ plugins: [plugin] });
    await runOnce(fm, "shared");
    expect(plugin.metrics?.registry).toBe(registry);
    const samples = parseSamples(await registry.metrics());
    expect(valueOf(samples, "app_logins_total")).toBe(3);
    expect(valueOf(samples, "flowmesh_workflows_total", { workflow: "shared", status: "succeeded" })).toBe(1);

    await fm.close();
    expect(registry.getMetricsAsArray().map((m) => m.name)).toEqual(["app_logins_total"]);
    // A new engine can use the same registry again.
    const again = prometheus({ registry });
    const next = engine({ plugins: [again] });
    await runOnce(next, "shared");
    expect(
      valueOf(parseSamples(await registry.metrics()), "flowmesh_workflows_total", {
        workflow: "shared",
        status: "succeeded",
      }),
    ).toBe(1);
  });

  it("collects Node.js process metrics only when asked", async () => {
    const plain = prometheus();
    const withDefaults = prometheus({ defaultMetrics: true });
    await engine({ plugins: [plain] }).ready();
    await engine({ plugins: [withDefaults] }).ready();
    const names = (body: string) => new Set(parseSamples(body).map((s) => s.name));
    expect(names((await plain.metrics!.scrape()).body).has("process_cpu_user_seconds_total")).toBe(false);
    expect(names((await withDefaults.metrics!.scrape()).body).has("process_cpu_user_seconds_total")).toBe(
      true,
    );
  });

  it("refuses to serve a second engine with the same plugin instance", async () => {
    const plugin = prometheus();
    await engine({ plugins: [plugin] }).ready();
    const error = await engine({ plugins: [plugin] })
      .ready()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(FlowMeshError);
    expect((error as FlowMeshError).message).toMatch(/call prometheus\(\) once per engine/);
  });
});

describe("label caps", () => {
  it("counts workflows past maxWorkflows, and tasks past maxTasks, as __other__", async () => {
    const plugin = prometheus({ maxWorkflows: 2, maxTasks: 3 });
    const fm = engine({ plugins: [plugin] });
    for (const name of ["w1", "w2", "w3", "w4"]) {
      await fm.register({
        name,
        tasks: [
          { name: "x", handler: () => 1 },
          { name: "y", handler: () => 1 },
        ],
      });
      await (await fm.start(name)).wait();
    }
    const samples = parseSamples((await plugin.metrics!.scrape()).body);
    const workflows = new Set(labelsOf(samples, "flowmesh_workflows_total").map((l) => l.workflow));
    expect([...workflows].sort()).toEqual([OTHER, "w1", "w2"].sort());
    expect(valueOf(samples, "flowmesh_workflows_total", { workflow: OTHER, status: "succeeded" })).toBe(2);
    expect(valueOf(samples, "flowmesh_workflows_total", { workflow: "w1", status: "succeeded" })).toBe(1);
    // Three (workflow, task) pairs fit: w1/x, w1/y, w2/x; w2/y is __other__; w3 and w4 share __other__'s.
    const pairs = labelsOf(samples, "flowmesh_tasks_total")
      .filter((l) => l.status === "succeeded")
      .map((l) => `${l.workflow}/${l.task}`)
      .sort();
    expect(pairs).toEqual(["w1/x", "w1/y", "w2/x", `w2/${OTHER}`, `${OTHER}/${OTHER}`].sort());
    expect(
      valueOf(samples, "flowmesh_tasks_total", { workflow: OTHER, task: OTHER, status: "succeeded" }),
    ).toBe(4);
    expect(
      valueOf(samples, "flowmesh_tasks_total", { workflow: "w2", task: OTHER, status: "succeeded" }),
    ).toBe(1);
  });

  it("caps circuit breaker names too", async () => {
    const plugin = prometheus({ maxCircuits: 1 });
    const fm = engine({ plugins: [plugin] });
    await fm.ready();
    fm.events.emit("circuit:state", { name: "a", state: "open", previous: "closed" });
    fm.events.emit("circuit:state", { name: "b", state: "half_open", previous: "open" });
    const samples = parseSamples((await plugin.metrics!.scrape()).body);
    expect(labelsOf(samples, "flowmesh_circuit_breaker_state")).toEqual([{ name: "a" }, { name: OTHER }]);
    expect(valueOf(samples, "flowmesh_circuit_breaker_state", { name: OTHER })).toBe(1);
  });
});
