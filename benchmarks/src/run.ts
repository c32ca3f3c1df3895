/**
 * Entry point of `pnpm bench`: runs every scenario on the floor and then on
 * FlowMesh, back to back in one process so both see the same machine state,
 * prints the table and writes `results/latest.json`.
 *
 *   node --expose-gc dist/run.js [--quick] [--strict]
 *
 * `--quick` runs a tenth of the runs with a shorter warm-up (a smoke test:
 * its figures are noisy and its memory scenario is 1,000 runs, not 10,000);
 * `--strict` exits with code 1 when a target fails.
 */
import { createFloorWorkflow } from "./floor.js";
import { createFlowMeshRunner } from "./flowmesh.js";
import { collectGarbage, measure, type RunMode, type Runner } from "./measure.js";
import {
  checkTargets,
  describeEnvironment,
  formatReport,
  systemFigures,
  writeReport,
  type BenchReport,
  type ScenarioFigures,
  type SystemName,
} from "./report.js";
import { buildShape, type Shape } from "./shape.js";

interface Scenario {
  id: string;
  label: string;
  mode: RunMode;
  runs: number;
  rounds: number;
}

const MEMORY_SCENARIO = "memory";

const quick = process.argv.includes("--quick");
const strict = process.argv.includes("--strict");
const scale = quick ? 0.1 : 1;

const fullScenarios: Scenario[] = [
  { id: "sequential", label: "sequential", mode: "sequential", runs: 2_000, rounds: 7 },
  { id: "concurrent", label: "concurrent", mode: "concurrent", runs: 1_000, rounds: 7 },
  // One round: the point is the peak memory of 10,000 runs in flight at once.
  { id: MEMORY_SCENARIO, label: "memory", mode: "concurrent", runs: 10_000, rounds: 1 },
];
const scenarios: Scenario[] = fullScenarios.map((s) => {
  const runs = Math.round(s.runs * scale);
  return { ...s, runs, label: `${s.label} ${runs.toLocaleString("en-US")}` };
});
const warmup = { warmupRuns: 200, warmupMs: quick ? 50 : 500 };

const systems: Record<SystemName, (shape: Shape) => Runner | Promise<Runner>> = {
  floor: (shape) => {
    const workflow = createFloorWorkflow(shape);
    return { runOnce: () => workflow.run(), close: async () => {} };
  },
  flowmesh: createFlowMeshRunner,
};

const RESULTS_FILE = new URL("../results/latest.json", import.meta.url);

/** How long a clean shutdown may take before we call it a leaked handle and exit anyway. */
const EXIT_GRACE_MS = 2_000;

async function main(): Promise<void> {
  const shape = buildShape();
  const tasksPerRun = shape.tasks.length;
  const figures: ScenarioFigures[] = [];
  for (const scenario of scenarios) {
    process.stderr.write(`running ${scenario.label} ...\n`);
    const floor = await measureSystem("floor", shape, scenario);
    const flowmesh = await measureSystem("flowmesh", shape, scenario);
    const floorFigures = systemFigures("floor", floor, tasksPerRun);
    const flowmeshFigures = systemFigures("flowmesh", flowmesh, tasksPerRun, floor);
    figures.push({
      id: scenario.id,
      label: scenario.label,
      mode: scenario.mode,
      floor: floorFigures,
      flowmesh: flowmeshFigures,
      throughputRatio: flowmeshFigures.tasksPerSec / floorFigures.tasksPerSec,
    });
  }
  const report: BenchReport = {
    meta: describeEnvironment(quick, { levels: shape.levels, width: shape.width, tasks: tasksPerRun }),
    scenarios: figures,
    targets: checkTargets(figures, MEMORY_SCENARIO),
  };
  process.stdout.write(`${formatReport(report)}\n`);
  process.stdout.write(
    await (await import("./prometheus-overhead.js")).prometheusOverheadReport(shape, { quick }),
  );
  await writeReport(report, RESULTS_FILE);
  process.stdout.write(`\nwrote ${RESULTS_FILE.pathname}\n`);
  if (strict && report.targets.some((t) => !t.pass)) process.exitCode = 1;
}

/** A fresh runner per scenario, so no system carries another scenario's state. */
async function measureSystem(name: SystemName, shape: Shape, scenario: Scenario) {
  const runner = await systems[name](shape);
  try {
    await checkOutputs(name, runner, shape);
    return await measure(runner, {
      mode: scenario.mode,
      runs: scenario.runs,
      rounds: scenario.rounds,
      ...warmup,
    });
  } finally {
    await runner.close();
    collectGarbage();
  }
}

/** A system that skipped work would look fast: make sure a run yields every task's output first. */
async function checkOutputs(name: SystemName, runner: Runner, shape: Shape): Promise<void> {
  const outputs = (await runner.runOnce()) as Record<string, unknown>;
  const missing = shape.tasks.filter((task) => outputs[task.name] !== 1).map((task) => task.name);
  if (missing.length > 0) throw new Error(`${name}: a run did not return output 1 for ${missing.join(", ")}`);
}

main().then(
  () => {
    // Everything is closed, so the process should exit now; if a handle leaked, say so and exit anyway.
    setTimeout(() => {
      process.stderr.write(`benchmarks: handles still open ${EXIT_GRACE_MS} ms after close(); exiting\n`);
      process.exit();
    }, EXIT_GRACE_MS).unref();
  },
  (error: unknown) => {
    process.stderr.write(
      `benchmarks failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
