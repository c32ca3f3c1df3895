/**
 * Turns measurements into figures, checks them against the targets, and
 * renders them: a table for people on stdout, JSON for tools in
 * `results/latest.json`.
 */
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { toMiB, toSeconds, type Measurement, type RunMode } from "./measure.js";

export type SystemName = "floor" | "flowmesh";

/** Throughput needed from FlowMesh, as a share of the floor's tasks/s. */
export const MIN_THROUGHPUT_RATIO = 0.25;
/** Peak RSS allowed while FlowMesh runs the memory scenario. */
export const MAX_PEAK_RSS_MIB = 1024;

/** One system's figures in one scenario. */
export interface SystemFigures {
  system: SystemName;
  /** Runs per round. */
  runs: number;
  /** Tasks per round. */
  tasks: number;
  /** Each round's elapsed time. */
  roundsMs: number[];
  /** The median round, which every figure below is computed from. */
  elapsedMs: number;
  workflowsPerSec: number;
  tasksPerSec: number;
  /** Floor: elapsed time per task. FlowMesh: time above the floor's, per task. */
  overheadUsPerTask: number;
  startRssMiB: number;
  peakRssMiB: number;
}

export interface ScenarioFigures {
  id: string;
  label: string;
  mode: RunMode;
  floor: SystemFigures;
  flowmesh: SystemFigures;
  /** FlowMesh tasks/s ÷ floor tasks/s. */
  throughputRatio: number;
}

export interface TargetCheck {
  name: string;
  target: string;
  actual: string;
  pass: boolean;
}

export interface BenchReport {
  meta: {
    date: string;
    node: string;
    platform: string;
    cpu: string;
    cores: number;
    totalMemMiB: number;
    gcExposed: boolean;
    quick: boolean;
    shape: { levels: number; width: number; tasks: number };
  };
  scenarios: ScenarioFigures[];
  targets: TargetCheck[];
}

/** Figures for one system, given the floor's measurement of the same scenario for the overhead. */
export function systemFigures(
  system: SystemName,
  measurement: Measurement,
  tasksPerRun: number,
  floor?: Measurement,
): SystemFigures {
  const seconds = toSeconds(measurement.elapsedNs);
  const tasks = measurement.runs * tasksPerRun;
  const aboveNs = floor ? measurement.elapsedNs - floor.elapsedNs : measurement.elapsedNs;
  return {
    system,
    runs: measurement.runs,
    tasks,
    roundsMs: measurement.roundsNs.map((ns) => Number(ns) / 1e6),
    elapsedMs: seconds * 1e3,
    workflowsPerSec: measurement.runs / seconds,
    tasksPerSec: tasks / seconds,
    overheadUsPerTask: Number(aboveNs) / 1e3 / tasks,
    startRssMiB: toMiB(measurement.startRssBytes),
    peakRssMiB: toMiB(measurement.peakRssBytes),
  };
}

/** The brief's targets: throughput ratio per scenario, and peak RSS in the memory scenario. */
export function checkTargets(scenarios: readonly ScenarioFigures[], memoryScenarioId: string): TargetCheck[] {
  const checks = scenarios.map((s) => ({
    name: `${s.label}: FlowMesh tasks/s ÷ floor tasks/s`,
    target: `≥ ${percent(MIN_THROUGHPUT_RATIO)}`,
    actual: percent(s.throughputRatio),
    pass: s.throughputRatio >= MIN_THROUGHPUT_RATIO,
  }));
  const memory = scenarios.find((s) => s.id === memoryScenarioId);
  if (memory) {
    checks.push({
      name: `${memory.flowmesh.runs.toLocaleString("en-US")} concurrent runs: FlowMesh peak RSS`,
      target: `< ${MAX_PEAK_RSS_MIB} MiB`,
      actual: `${memory.flowmesh.peakRssMiB.toFixed(0)} MiB`,
      pass: memory.flowmesh.peakRssMiB < MAX_PEAK_RSS_MIB,
    });
  }
  return checks;
}

/** Machine and run facts recorded with every result. */
export function describeEnvironment(
  quick: boolean,
  shape: BenchReport["meta"]["shape"],
): BenchReport["meta"] {
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.availableParallelism(),
    totalMemMiB: Math.round(toMiB(os.totalmem())),
    gcExposed: typeof globalThis.gc === "function",
    quick,
    shape,
  };
}

/** The human-readable report. */
export function formatReport(report: BenchReport): string {
  const { meta } = report;
  const lines = [
    `FlowMesh benchmarks${meta.quick ? " (--quick)" : ""}: ${meta.shape.tasks} tasks in ${meta.shape.levels} levels of ${meta.shape.width}`,
    `node ${meta.node}, ${meta.platform}, ${meta.cpu}, ${meta.cores} cores, ${meta.totalMemMiB} MiB RAM` +
      (meta.gcExposed ? "" : " (no --expose-gc: scenarios are not separated by a GC)"),
    "",
  ];
  const header = ["scenario", "system", "workflows/s", "tasks/s", "µs/task", "start RSS MiB", "peak RSS MiB"];
  const rows = report.scenarios.flatMap((s) =>
    [s.floor, s.flowmesh].map((f) => [
      s.label,
      f.system,
      integer(f.workflowsPerSec),
      integer(f.tasksPerSec),
      f.overheadUsPerTask.toFixed(2),
      f.startRssMiB.toFixed(0),
      f.peakRssMiB.toFixed(0),
    ]),
  );
  lines.push(...table(header, rows, [false, false, true, true, true, true, true]));
  lines.push(
    "",
    "µs/task: floor = elapsed time per task; flowmesh = (flowmesh time - floor time) per task, the engine's overhead.",
    "RSS is the whole process: start = after warm-up and GC (includes what earlier scenarios left), peak = highest seen.",
    "",
  );
  const checkRows = report.targets.map((t) => [t.name, t.target, t.actual, t.pass ? "PASS" : "FAIL"]);
  lines.push(...table(["target", "wanted", "actual", ""], checkRows, [false, false, true, false]));
  return lines.join("\n");
}

/** Writes the report as JSON, creating the folder if needed. */
export async function writeReport(report: BenchReport, file: URL): Promise<void> {
  const path = fileURLToPath(file);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
}

function table(header: string[], rows: string[][], alignRight: boolean[]): string[] {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const render = (cells: string[]): string =>
    cells
      .map((cell, c) => (alignRight[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join("  ")
      .trimEnd();
  return [render(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(render)];
}

function integer(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}
