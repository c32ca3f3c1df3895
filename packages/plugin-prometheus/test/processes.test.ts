/**
 * Several processes on one backend, each exposing its own metrics: here an
 * API-only engine and a worker engine sharing one coordinator. The backend's
 * figures are the same whichever is scraped; outcomes are counted where they
 * happen.
 */
import { describe, expect, it } from "vitest";
import { createFlowMesh, createLogger, MemoryCoordinator } from "@flowmesh/core";
import { prometheus } from "../src/index.js";
import { parseSamples, valueOf } from "./support/scrape.js";

describe("an API process and a worker process on one backend", () => {
  it("report the same queue depth and active runs, and count outcomes in the worker", async () => {
    const backend = new MemoryCoordinator();
    const logger = createLogger({ level: "silent" });
    const apiMetrics = prometheus();
    const workerMetrics = prometheus();
    const api = createFlowMesh({ backend, logger, worker: false, plugins: [apiMetrics] });
    const worker = createFlowMesh({ backend, logger, concurrency: 1, plugins: [workerMetrics] });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const definition = {
      name: "job",
      tasks: [
        {
          name: "a",
          handler: async () => {
            await gate;
            return 1;
          },
        },
        { name: "b", dependsOn: ["a"], handler: () => 2 },
      ],
    };
    try {
      await api.register(definition);
      await worker.register(definition);
      await worker.ready();
      const runs = [await api.start("job"), await api.start("job")];
      await expect.poll(async () => (await worker.stats()).worker?.running).toBe(1);

      const fromApi = parseSamples((await apiMetrics.metrics!.scrape()).body);
      const fromWorker = parseSamples((await workerMetrics.metrics!.scrape()).body);
      for (const samples of [fromApi, fromWorker]) {
        expect(valueOf(samples, "flowmesh_queue_depth")).toBe(1);
        expect(valueOf(samples, "flowmesh_active_workflows")).toBe(2);
      }
      expect(valueOf(fromWorker, "flowmesh_worker_slots", { state: "busy" })).toBe(1);
      expect(fromApi.some((s) => s.name === "flowmesh_worker_slots")).toBe(false);

      release();
      await Promise.all(runs.map((run) => run.wait()));
      const after = parseSamples((await workerMetrics.metrics!.scrape()).body);
      expect(valueOf(after, "flowmesh_workflows_total", { workflow: "job", status: "succeeded" })).toBe(2);
      expect(
        valueOf(after, "flowmesh_tasks_total", { workflow: "job", task: "b", status: "succeeded" }),
      ).toBe(2);
      const apiAfter = parseSamples((await apiMetrics.metrics!.scrape()).body);
      // The API process ran nothing: no outcome series, but the backend's figures all the same.
      expect(apiAfter.some((s) => s.name === "flowmesh_tasks_total")).toBe(false);
      expect(valueOf(apiAfter, "flowmesh_active_workflows")).toBe(0);
    } finally {
      release();
      await api.close();
      await worker.close();
    }
  });
});
