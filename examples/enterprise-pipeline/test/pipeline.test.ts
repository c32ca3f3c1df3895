import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createFlowMesh, createLogger, type RunEvent, type RunRecord } from "@flowmesh/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runEntryPoint } from "../../test-kit/run-entry-point.js";
import { JsonFileStore } from "../src/json-file-store.js";
import { metrics, type MetricsPlugin } from "../src/metrics-hook.js";
import { etlPipeline, type Loaded, type Validated } from "../src/pipeline.js";
import { formatSummary } from "../src/summary.js";

const entryPoint = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const TASKS = ["extract", "transform", "validate", "load", "notify"];

describe("the enterprise pipeline", () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "flowmesh-etl-"));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs the pipeline once on a JSON-file store in `dir`; resolves after close, when every hook has run. */
  async function runPipeline(): Promise<{ run: RunRecord; events: RunEvent[]; plugin: MetricsPlugin }> {
    const plugin = metrics();
    const fm = createFlowMesh({
      backend: new JsonFileStore(dir),
      plugins: [plugin],
      logger: createLogger({ level: "silent" }),
    });
    try {
      await fm.register(etlPipeline);
      const handle = await fm.start("enterprise-etl", { batch: "2025-01-31" });
      const run = await handle.wait();
      return { run, events: await fm.readEvents(run.id), plugin };
    } finally {
      await fm.close();
    }
  }

  it("retries the flaky extract and succeeds on its second attempt", { timeout: 10_000 }, async () => {
    const { run, events } = await runPipeline();
    expect(run.status).toBe("succeeded");
    expect(run.tasks.extract!.attempts).toBe(2);
    const retries = events.filter((event) => event.type === "task:retrying");
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ task: "extract", attempt: 1 });
    expect(retries[0]!.error!.message).toContain("orders API answered 503");
  });

  it(
    "passes each task's output downstream: 7 rows in, 4 loaded, 3 rejected with reasons",
    { timeout: 10_000 },
    async () => {
      const { run } = await runPipeline();
      const validated = run.tasks.validate!.output as Validated;
      expect(validated.valid.map((order) => order.id)).toEqual(["A-1001", "A-1002", "A-1003", "A-1007"]);
      expect(validated.rejected).toEqual([
        { id: "A-1004", reason: "missing customer" },
        { id: "A-1005", reason: "amount must be positive" },
        { id: "A-1006", reason: "unknown currency" },
      ]);
      expect(run.tasks.load!.output as Loaded).toEqual({
        table: "warehouse.orders",
        loaded: 4,
        totalEur: 2485.74,
      });
      expect(run.tasks.notify!.output).toEqual({
        channel: "#data-engineering",
        message: "batch 2025-01-31: 4 orders (€2485.74) loaded into warehouse.orders, 3 rejected",
      });
    },
  );

  it("gives load its 5 s timeout and extract the brief's retry policy", () => {
    const load = etlPipeline.tasks.find((task) => task.name === "load")!;
    const extract = etlPipeline.tasks.find((task) => task.name === "extract")!;
    expect(load.timeout).toBe(5);
    expect(extract.retry).toEqual({ maxRetries: 3, baseDelay: 0.1, exponentialBase: 2.0, jitter: true });
  });

  it("has the metrics hook record one duration per task from afterTask", { timeout: 10_000 }, async () => {
    const { run, plugin } = await runPipeline();
    expect([...plugin.durations.keys()]).toEqual(TASKS.map((task) => `enterprise-etl/${task}`));
    for (const task of TASKS) {
      const recorded = plugin.durations.get(`enterprise-etl/${task}`)!;
      // Only the attempt that succeeded reaches afterTask, with the duration the run record holds.
      expect(recorded).toEqual([run.tasks[task]!.durationMs]);
    }
    // load waits 40 ms for the simulated warehouse.
    expect(plugin.durations.get("enterprise-etl/load")![0]).toBeGreaterThanOrEqual(35);
  });

  it(
    "summarizes the run: statuses, retries, outputs, hook durations and where it is stored",
    { timeout: 10_000 },
    async () => {
      const { run, events, plugin } = await runPipeline();
      const text = formatSummary({
        run,
        events,
        durations: plugin.durations,
        storeDir: dir,
        storedRuns: 1,
        runFile: join(dir, `${run.id}.json`),
      });
      expect(text).toContain(`Run ${run.id} SUCCEEDED`);
      expect(text).toMatch(/^ {2}extract +succeeded +2 +\d+\.\d ms$/m);
      expect(text).toContain("extract attempt 1 failed: orders API answered 503");
      expect(text).toContain('load           { table: "warehouse.orders", loaded: 4, totalEur: 2485.74 }');
      expect(text).toMatch(/^ {2}enterprise-etl\/notify +\d+\.\d ms$/m);
      expect(text).toContain(`directory  ${dir} (1 run stored)`);
    },
  );

  it(
    "runs from its entry point: prints the summary, stores the run and exits 0",
    { timeout: 20_000 },
    async () => {
      const { code, stdout, stderr } = await runEntryPoint(entryPoint, { env: { FLOWMESH_DATA_DIR: dir } });
      expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
      expect(stdout).toMatch(/^Run \S+ SUCCEEDED in \d+ ms$/m);
      expect(stdout).toContain("enterprise-etl/load");
      const files = await readdir(dir);
      expect(files).toHaveLength(1);
      expect(stdout).toContain(join(dir, files[0]!));
    },
  );
});
