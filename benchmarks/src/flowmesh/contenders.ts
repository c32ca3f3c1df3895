/**
 * FlowMesh as a contender of the durable-backend scenarios, on any backend
 * plugin (Redis, Postgres): the same code drives both, through the public
 * engine API only. Each engine gets a fresh plugin instance from
 * `backend.plugins()`; engines in one scenario share the backend's store,
 * like separate processes would.
 */
import { createFlowMesh, createLogger, type FlowMesh, type FlowMeshPlugin } from "@flowmesh/core";
import type {
  BatchContender,
  BatchOptions,
  BatchResult,
  FlowContender,
  FlowRunner,
  FlowsResult,
  LatencyContender,
  LatencySession,
} from "../common/contenders.js";
import { Countdown, pool, withTimeout } from "../common/countdown.js";
import { FLOWMESH, IN_PROCESS, SEPARATE_CLIENT } from "../common/scenarios.js";
import { nowMs, summarize, type LatencySummary } from "../common/stats.js";
import { buildShape } from "../shape.js";

/** How to put FlowMesh on one durable backend. */
export interface FlowMeshBackend {
  /** Plugins for one engine: a fresh backend plugin instance each call. */
  plugins(): FlowMeshPlugin[];
}

const SINGLE = "single";
const DAG = "dag";
/** Runs started at once while enqueueing a batch (FlowMesh has no bulk start; concurrent calls share connections). */
const START_PARALLELISM = 500;

function engine(backend: FlowMeshBackend, options: { worker: boolean; concurrency?: number }): FlowMesh {
  return createFlowMesh({
    logger: createLogger({ level: "silent" }),
    plugins: backend.plugins(),
    worker: options.worker,
    concurrency: options.concurrency ?? 100,
  });
}

async function registerSingle(fm: FlowMesh): Promise<void> {
  await fm.register({ name: SINGLE, tasks: [{ name: "only", handler: async () => 1 }] });
}

async function registerDag(fm: FlowMesh): Promise<void> {
  await fm.register({
    name: DAG,
    tasks: buildShape().tasks.map((task) => ({
      name: task.name,
      handler: async () => 1,
      dependsOn: [...task.dependsOn],
    })),
  });
}

/**
 * (a) An API-only engine starts `jobs` single-task runs (500 calls at a
 * time, no worker running), then a worker engine at `concurrency` is
 * started and timed until it has committed every task. A task's
 * `task:succeeded` event fires after the backend acknowledged the
 * completion, which for a single-task run also finishes the run in the
 * same step; afterwards (untimed) the suite checks no run is left unfinished.
 */
export async function flowmeshBatch(backend: FlowMeshBackend, options: BatchOptions): Promise<BatchResult> {
  const api = engine(backend, { worker: false });
  const worker = engine(backend, { worker: true, concurrency: options.concurrency });
  try {
    await registerSingle(api);
    await registerSingle(worker);
    const countdown = new Countdown(options.jobs, `flowmesh c=${options.concurrency}`);
    worker.events.on("task:succeeded", () => countdown.tick());
    worker.events.on("task:failed", (event) =>
      countdown.fail(new Error(`task failed: ${String(event.error)}`)),
    );
    const addStart = nowMs();
    await pool(options.jobs, START_PARALLELISM, (i) => api.start(SINGLE, { i }));
    const addMs = nowMs() - addStart;
    const processStart = nowMs();
    await worker.ready();
    await countdown.wait(options.timeoutMs);
    const processMs = nowMs() - processStart;
    await assertAllSucceeded(api);
    return { jobs: options.jobs, addMs, processMs };
  } finally {
    await worker.close();
    await api.close();
  }
}

async function assertAllSucceeded(fm: FlowMesh): Promise<void> {
  const page = await fm.listRuns({
    status: ["pending", "running", "failed", "cancelled", "timed_out"],
    limit: 1,
  });
  const run = page.runs[0];
  if (run !== undefined) throw new Error(`run ${run.id} is ${run.status} after its task succeeded`);
}

/** The 50-task DAG on one engine (API and worker in one process, like BullMQ's flow producer and worker). */
class FlowMeshFlows implements FlowRunner {
  constructor(private readonly fm: FlowMesh) {}

  async check(): Promise<void> {
    const outputs = await (await this.fm.start(DAG, {})).result();
    const missing = buildShape().tasks.filter((task) => outputs[task.name] !== 1);
    if (missing.length > 0) throw new Error(`a DAG run did not return output 1 for ${missing.length} tasks`);
  }

  private async runOne(): Promise<void> {
    await (await this.fm.start(DAG, {})).result();
  }

  async throughput(flows: number, inFlight: number, timeoutMs: number): Promise<FlowsResult> {
    const start = nowMs();
    await withTimeout(
      pool(flows, inFlight, () => this.runOne()),
      timeoutMs,
      "flowmesh flows",
    );
    return { flows, jobs: flows * 50, elapsedMs: nowMs() - start };
  }

  async latency(flows: number): Promise<LatencySummary> {
    const samples: number[] = [];
    for (let i = 0; i < flows; i++) {
      const start = nowMs();
      await this.runOne();
      samples.push(nowMs() - start);
    }
    return summarize(samples);
  }

  close(): Promise<void> {
    return this.fm.close();
  }
}

/**
 * (c) Single-task runs with a worker at concurrency 1:
 * `(await fm.start()).result()` on the worker's own engine (in-process), and
 * on a separate API-only engine, which learns of the end through the
 * backend's notifications (separate client).
 */
export async function flowmeshLatency(backend: FlowMeshBackend): Promise<LatencySession> {
  const worker = engine(backend, { worker: true, concurrency: 1 });
  const api = engine(backend, { worker: false });
  const close = async (): Promise<void> => {
    await api.close();
    await worker.close();
  };
  try {
    await registerSingle(worker);
    await registerSingle(api);
    await worker.ready();
    await api.ready();
  } catch (error) {
    await close();
    throw error;
  }
  const once = (fm: FlowMesh) => async (): Promise<void> => {
    await (await fm.start(SINGLE, {})).result();
  };
  return { variants: { [IN_PROCESS]: once(worker), [SEPARATE_CLIENT]: once(api) }, close };
}

/** FlowMesh's contenders for the three scenarios, on `backend`. */
export function flowmeshContenders(backend: FlowMeshBackend): {
  batch: BatchContender[];
  flows: FlowContender[];
  latency: LatencyContender[];
} {
  return {
    batch: [{ name: FLOWMESH, batch: (options) => flowmeshBatch(backend, options) }],
    flows: [
      {
        name: FLOWMESH,
        shape: "the DAG itself: 10 levels of 5, each task depends on all 5 of the level below (200 edges)",
        open: async (concurrency) => {
          const fm = engine(backend, { worker: true, concurrency });
          const flows = new FlowMeshFlows(fm);
          try {
            await registerDag(fm);
            await flows.check();
          } catch (error) {
            await fm.close();
            throw error;
          }
          return flows;
        },
      },
    ],
    latency: [{ name: FLOWMESH, open: () => flowmeshLatency(backend) }],
  };
}
