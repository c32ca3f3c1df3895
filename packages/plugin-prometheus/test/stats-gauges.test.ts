/** The scrape-time gauges when the backend cannot be read: backend_up 0, no stale figures. */
import { describe, expect, it } from "vitest";
import { MemoryCoordinator } from "@flowmesh/core";
import { prometheus } from "../src/index.js";
import { parseSamples, useEngines, valueOf } from "./support/scrape.js";

const engine = useEngines();

/** The memory backend with a switch that makes its read-only counts fail, as an unreachable Redis would. */
class FlakyCounts extends MemoryCoordinator {
  down = false;

  override async queueDepth(): Promise<number> {
    if (this.down) throw new Error("connection refused");
    return super.queueDepth();
  }
}

describe("scrape-time gauges", () => {
  it("reports backend_up 0 and leaves the backend and worker gauges out while the backend cannot be read", async () => {
    const backend = new FlakyCounts();
    const plugin = prometheus();
    const fm = engine({ backend, plugins: [plugin], concurrency: 3 });
    await fm.ready();
    const read = async () => parseSamples((await plugin.metrics!.scrape()).body);

    let samples = await read();
    expect(valueOf(samples, "flowmesh_backend_up")).toBe(1);
    expect(valueOf(samples, "flowmesh_queue_depth")).toBe(0);
    expect(valueOf(samples, "flowmesh_worker_slots", { state: "free" })).toBe(3);

    backend.down = true;
    samples = await read();
    expect(valueOf(samples, "flowmesh_backend_up")).toBe(0);
    for (const name of [
      "flowmesh_queue_depth",
      "flowmesh_active_workflows",
      "flowmesh_tasks_running",
      "flowmesh_worker_slots",
    ]) {
      expect(
        samples.some((s) => s.name === name),
        name,
      ).toBe(false);
    }
    // The event-fed metrics are still there.
    expect(samples.some((s) => s.name === "flowmesh_lease_recoveries_total")).toBe(true);

    backend.down = false;
    expect(valueOf(await read(), "flowmesh_backend_up")).toBe(1);
  });

  it("reads the engine's stats once per scrape, whatever the number of gauges", async () => {
    let reads = 0;
    class Counting extends MemoryCoordinator {
      override async queueDepth(): Promise<number> {
        reads++;
        return super.queueDepth();
      }
    }
    const plugin = prometheus();
    await engine({ backend: new Counting(), plugins: [plugin] }).ready();
    await plugin.metrics!.scrape();
    expect(reads).toBe(1);
    await plugin.metrics!.scrape("application/openmetrics-text");
    expect(reads).toBe(2);
  });
});
