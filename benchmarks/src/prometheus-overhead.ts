/**
 * The cost of `@flowmesh/plugin-prometheus`: the engine benchmark's shape on
 * the in-memory engine, without the plugin and with it, side by side. Rounds
 * alternate between the two engines (and which goes first), so both see the
 * same machine state; each figure is the median round. After the timed rounds
 * the metrics are scraped and checked, so the plugin cannot look cheap by
 * counting nothing. Goal: under 10 % fewer tasks/s with the plugin.
 *
 * Both losses are printed: by wall-clock tasks/s, and by the process's CPU
 * time per round (user + system, GC threads included). On a busy machine the
 * wall clock also measures when the scheduler let the process run; CPU time
 * does not, so the goal is judged on it.
 */
import { createFlowMesh, createLogger, type FlowMeshPlugin } from "@flowmesh/core";
import { prometheus, type PrometheusPlugin } from "@flowmesh/plugin-prometheus";
import type { Shape } from "./shape.js";

/** Fewer tasks/s than this share of the plain engine's fails the goal. */
export const MAX_PROMETHEUS_LOSS = 0.1;

interface Mode {
  label: string;
  concurrent: boolean;
  runs: number;
}

interface Engine {
  runOnce(): Promise<unknown>;
  close(): Promise<void>;
}

const ROUNDS = 15;
const WORKFLOW = "bench";

/** Measures both engines in the sequential and concurrent modes and returns the table to print. */
export async function prometheusOverheadReport(shape: Shape, options: { quick: boolean }): Promise<string> {
  const scale = options.quick ? 0.1 : 1;
  const modes: Mode[] = [
    { label: "sequential", concurrent: false, runs: Math.round(2_000 * scale) },
    { label: "concurrent", concurrent: true, runs: Math.round(1_000 * scale) },
  ];
  const lines = [
    "",
    `prometheus plugin overhead (in-memory engine, median of ${ROUNDS} alternating rounds)`,
    "",
    "scenario          without: tasks/s  with prometheus: tasks/s  loss (wall)  loss (CPU)  goal < 10% (CPU)",
    "----------------  ----------------  ------------------------  -----------  ----------  ----------------",
  ];
  for (const mode of modes) {
    process.stderr.write(`running prometheus overhead, ${mode.label} ...\n`);
    const { without, withPlugin } = await compare(shape, mode, options.quick);
    const tasks = mode.runs * shape.tasks.length;
    const plainRate = tasks / without.wall;
    const pluginRate = tasks / withPlugin.wall;
    const wallLoss = 1 - pluginRate / plainRate;
    const cpuLoss = 1 - without.cpu / withPlugin.cpu;
    lines.push(
      [
        `${mode.label} ${mode.runs.toLocaleString("en-US")}`.padEnd(16),
        fmt(plainRate).padStart(16),
        fmt(pluginRate).padStart(24),
        percent(wallLoss).padStart(11),
        percent(cpuLoss).padStart(10),
        (cpuLoss < MAX_PROMETHEUS_LOSS ? "PASS" : "FAIL").padStart(16),
      ].join("  "),
    );
  }
  return `${lines.join("\n")}\n`;
}

async function compare(
  shape: Shape,
  mode: Mode,
  quick: boolean,
): Promise<{ without: Round; withPlugin: Round }> {
  const plugin = prometheus();
  const plain = await engine(shape, []);
  const metered = await engine(shape, [plugin]);
  try {
    for (const e of [plain, metered]) await warmUp(e, quick ? 50 : 500);
    const rounds: [Round[], Round[]] = [[], []];
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? [0, 1] : [1, 0];
      for (const which of order) {
        globalThis.gc?.();
        rounds[which]!.push(await timeRound(which === 0 ? plain : metered, mode));
      }
    }
    await checkCounted(plugin, shape);
    return { without: medianRound(rounds[0]), withPlugin: medianRound(rounds[1]) };
  } finally {
    await plain.close();
    await metered.close();
  }
}

async function engine(shape: Shape, plugins: FlowMeshPlugin[]): Promise<Engine> {
  const fm = createFlowMesh({ logger: createLogger({ level: "silent" }), concurrency: 10_000, plugins });
  await fm.register({
    name: WORKFLOW,
    tasks: shape.tasks.map((task) => ({
      name: task.name,
      handler: async () => 1,
      dependsOn: [...task.dependsOn],
    })),
  });
  const input = { n: 1 };
  return {
    runOnce: async () => (await fm.start(WORKFLOW, input)).result(),
    close: () => fm.close(),
  };
}

async function warmUp(e: Engine, ms: number): Promise<void> {
  const until = performance.now() + ms;
  for (let i = 0; i < 200 || performance.now() < until; i++) await e.runOnce();
}

/** Wall-clock and CPU seconds of one round. */
interface Round {
  wall: number;
  cpu: number;
}

/** One round of `mode.runs` runs. */
async function timeRound(e: Engine, mode: Mode): Promise<Round> {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  if (mode.concurrent) {
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < mode.runs; i++) pending.push(e.runOnce());
    await Promise.all(pending);
  } else {
    for (let i = 0; i < mode.runs; i++) await e.runOnce();
  }
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / 1e6 };
}

/** The plugin counted every run and task it was timed on. */
async function checkCounted(plugin: PrometheusPlugin, shape: Shape): Promise<void> {
  const body = (await plugin.metrics!.scrape()).body;
  const value = (pattern: RegExp): number => Number(pattern.exec(body)?.[1] ?? Number.NaN);
  const runs = value(/^flowmesh_workflows_total\{workflow="bench",status="succeeded"\} (\d+)$/m);
  const tasks = value(/^flowmesh_tasks_total\{workflow="bench",task="l0_t0",status="succeeded"\} (\d+)$/m);
  const durations = value(/^flowmesh_task_duration_seconds_count\{workflow="bench",task="l0_t0"\} (\d+)$/m);
  if (!(runs > 0) || tasks !== runs || durations !== runs || shape.tasks.length === 0) {
    throw new Error(`prometheus overhead: the plugin did not count the runs (runs ${runs}, tasks ${tasks})`);
  }
}

/** Median wall time and median CPU time, each on its own. */
function medianRound(rounds: readonly Round[]): Round {
  return { wall: median(rounds.map((r) => r.wall)), cpu: median(rounds.map((r) => r.cpu)) };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[(sorted.length - 1) >> 1]!;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

function fmt(rate: number): string {
  return Math.round(rate).toLocaleString("en-US");
}
