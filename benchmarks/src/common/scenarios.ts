/**
 * The scenario runners shared by the Redis and Postgres suites: each runs
 * every contender, one after another in this process, on a store emptied by
 * `reset()` first, and returns rows that render as one side-by-side table
 * with FlowMesh's ratio to each peer.
 */
import type {
  BatchContender,
  BatchResult,
  FlowContender,
  FlowsResult,
  LatencyContender,
  LatencySession,
} from "./contenders.js";
import { progress } from "./results.js";
import { nowMs, summarize, type LatencySummary } from "./stats.js";
import { int, ms, ratio, renderTable } from "./table.js";

/** The contender whose figures the ratios are computed for. */
export const FLOWMESH = "FlowMesh";

/** Latency variant: the completion is learnt in the process that ran the task. */
export const IN_PROCESS = "in-process";
/** Latency variant: the completion is learnt by another client, through the store. */
export const SEPARATE_CLIENT = "separate client";

export interface BatchRow {
  concurrency: number;
  system: string;
  result: BatchResult | undefined;
  error?: string;
}

/** Throughput of processing (jobs/s from worker start to last completion). */
export function processRate(r: BatchResult): number {
  return r.jobs / (r.processMs / 1000);
}

/** Throughput of enqueue + processing together. */
export function totalRate(r: BatchResult): number {
  return r.jobs / ((r.addMs + r.processMs) / 1000);
}

/** Runs every contender at every concurrency. A contender that fails is reported, not fatal. */
export async function runBatchScenario(
  contenders: readonly BatchContender[],
  options: {
    jobs: number;
    concurrencies: readonly number[];
    timeoutMs: number;
    reset: () => Promise<void>;
    /** The server's CPU so far (ms), to print its cost per job; see `server-cpu.ts`. */
    serverCpuMs?: () => Promise<number | undefined>;
  },
): Promise<BatchRow[]> {
  const rows: BatchRow[] = [];
  for (const concurrency of options.concurrencies) {
    for (const contender of contenders) {
      progress(`${contender.name}: ${int(options.jobs)} single jobs at concurrency ${concurrency}`);
      await options.reset();
      try {
        const server = await options.serverCpuMs?.();
        const client = process.cpuUsage();
        const result = await contender.batch({
          jobs: options.jobs,
          concurrency,
          timeoutMs: options.timeoutMs,
        });
        const used = process.cpuUsage(client);
        result.clientCpuMs = (used.user + used.system) / 1000;
        const serverAfter = await options.serverCpuMs?.();
        if (server !== undefined && serverAfter !== undefined) result.serverCpuMs = serverAfter - server;
        rows.push({ concurrency, system: contender.name, result });
      } catch (error) {
        rows.push({ concurrency, system: contender.name, result: undefined, error: message(error) });
      }
    }
  }
  return rows;
}

/** CPU ms over a scenario as µs per job; blank when not measured. */
function perJob(cpuMs: number | undefined, jobs: number): string {
  return cpuMs === undefined ? "" : ((cpuMs * 1000) / jobs).toFixed(1);
}

export function formatBatch(title: string, rows: readonly BatchRow[]): string {
  const fm = (c: number) => rows.find((r) => r.concurrency === c && r.system === FLOWMESH)?.result;
  return renderTable(
    title,
    [
      { header: "c", numeric: true },
      { header: "system" },
      { header: "enqueue/s", numeric: true },
      { header: "process jobs/s", numeric: true },
      { header: "enqueue+process/s", numeric: true },
      { header: "FlowMesh ÷ this (process)", numeric: true },
      { header: "FlowMesh ÷ this (both)", numeric: true },
      { header: "server CPU µs/job", numeric: true },
      { header: "client CPU µs/job", numeric: true },
    ],
    rows.map((row) => {
      const r = row.result;
      const f = fm(row.concurrency);
      if (r === undefined) return [String(row.concurrency), row.system, `FAILED: ${row.error ?? "?"}`];
      return [
        String(row.concurrency),
        row.system,
        int(r.jobs / (r.addMs / 1000)),
        int(processRate(r)),
        int(totalRate(r)),
        row.system === FLOWMESH || f === undefined ? "" : ratio(processRate(f), processRate(r)),
        row.system === FLOWMESH || f === undefined ? "" : ratio(totalRate(f), totalRate(r)),
        perJob(r.serverCpuMs, r.jobs),
        perJob(r.clientCpuMs, r.jobs),
      ];
    }),
  );
}

export interface FlowRow {
  system: string;
  shape: string;
  throughput: FlowsResult | undefined;
  latency: LatencySummary | undefined;
  error?: string;
}

/** Flows/s with `inFlight` at once, then single-flow latency, per contender. */
export async function runFlowScenario(
  contenders: readonly FlowContender[],
  options: {
    concurrency: number;
    flows: number;
    inFlight: number;
    latencyRuns: number;
    timeoutMs: number;
    reset: () => Promise<void>;
  },
): Promise<FlowRow[]> {
  const rows: FlowRow[] = [];
  for (const contender of contenders) {
    progress(`${contender.name}: ${int(options.flows)} DAG flows, ${options.inFlight} at once`);
    await options.reset();
    try {
      const runner = await contender.open(options.concurrency);
      try {
        const throughput = await runner.throughput(options.flows, options.inFlight, options.timeoutMs);
        progress(`${contender.name}: ${options.latencyRuns} DAG flows one at a time`);
        const latency = await runner.latency(options.latencyRuns);
        rows.push({ system: contender.name, shape: contender.shape, throughput, latency });
      } finally {
        await runner.close();
      }
    } catch (error) {
      rows.push({
        system: contender.name,
        shape: contender.shape,
        throughput: undefined,
        latency: undefined,
        error: message(error),
      });
    }
  }
  return rows;
}

export function flowsPerSec(r: FlowsResult): number {
  return r.flows / (r.elapsedMs / 1000);
}

export function formatFlows(title: string, rows: readonly FlowRow[]): string {
  const fm = rows.find((r) => r.system === FLOWMESH);
  const table = renderTable(
    title,
    [
      { header: "system" },
      { header: "flows/s", numeric: true },
      { header: "tasks/s", numeric: true },
      { header: "single p50 ms", numeric: true },
      { header: "single p99 ms", numeric: true },
      { header: "single max ms", numeric: true },
      { header: "FlowMesh ÷ this (flows/s)", numeric: true },
    ],
    rows.map((row) => {
      const t = row.throughput;
      const l = row.latency;
      if (t === undefined || l === undefined) return [row.system, `FAILED: ${row.error ?? "?"}`];
      const f = fm?.throughput;
      return [
        row.system,
        int(flowsPerSec(t)),
        int(t.jobs / (t.elapsedMs / 1000)),
        ms(l.p50Ms),
        ms(l.p99Ms),
        ms(l.maxMs),
        row.system === FLOWMESH || f === undefined ? "" : ratio(flowsPerSec(f), flowsPerSec(t)),
      ];
    }),
  );
  const shapes = rows.map((row) => `  ${row.system}: ${row.shape}`);
  return [table, "shapes:", ...shapes].join("\n");
}

export interface LatencyRow {
  system: string;
  variant: string;
  summary: LatencySummary | undefined;
  error?: string;
}

/**
 * Opens every contender, warms each variant up, then measures them in
 * interleaved rounds: each round takes an equal share of every variant's
 * samples, in an order rotated from round to round. Measured one after
 * another, whichever came first took the process's early slowness (JIT,
 * heap growth) and each a different stretch of this VM's noise, which moved
 * p99 by more than the systems differ; interleaved, all share them alike.
 */
export async function runLatencyScenario(
  contenders: readonly LatencyContender[],
  options: { runs: number; warmup: number; rounds: number; reset: () => Promise<void> },
): Promise<LatencyRow[]> {
  await options.reset();
  const rows: LatencyRow[] = [];
  const lanes: {
    system: string;
    variant: string;
    sample: () => Promise<void>;
    samples: number[];
    error?: string;
  }[] = [];
  /** Runs `count` samples of a lane (timed when `timed`); a lane that fails is reported and skipped from then on. */
  const take = async (lane: (typeof lanes)[number], count: number, timed: boolean): Promise<void> => {
    try {
      for (let i = 0; i < count && lane.error === undefined; i++) {
        const start = nowMs();
        await lane.sample();
        if (timed) lane.samples.push(nowMs() - start);
      }
    } catch (error) {
      lane.error = message(error);
    }
  };
  const sessions: LatencySession[] = [];
  try {
    for (const contender of contenders) {
      progress(`${contender.name}: opening for single runs one at a time`);
      try {
        const session = await contender.open();
        sessions.push(session);
        for (const [variant, sample] of Object.entries(session.variants))
          lanes.push({ system: contender.name, variant, sample, samples: [] });
      } catch (error) {
        rows.push({ system: contender.name, variant: "", summary: undefined, error: message(error) });
      }
    }
    progress(`${lanes.length} variants: ${options.warmup} warm-up runs each`);
    for (const lane of lanes) await take(lane, options.warmup, false);
    const perRound = Math.ceil(options.runs / options.rounds);
    progress(`${options.rounds} rounds of ${perRound} runs per variant`);
    for (let round = 0; round < options.rounds; round++) {
      for (let k = 0; k < lanes.length; k++) {
        const lane = lanes[(round + k) % lanes.length]!;
        await take(lane, Math.min(perRound, options.runs - lane.samples.length), true);
      }
    }
  } finally {
    for (const session of sessions) await session.close();
  }
  for (const lane of lanes) {
    if (lane.error === undefined)
      rows.push({ system: lane.system, variant: lane.variant, summary: summarize(lane.samples) });
    else rows.push({ system: lane.system, variant: lane.variant, summary: undefined, error: lane.error });
  }
  return rows;
}

export function formatLatency(title: string, rows: readonly LatencyRow[]): string {
  return renderTable(
    title,
    [
      { header: "system" },
      { header: "waiting through" },
      { header: "p50 ms", numeric: true },
      { header: "p99 ms", numeric: true },
      { header: "max ms", numeric: true },
      { header: "mean ms", numeric: true },
    ],
    rows.map((row) => {
      const s = row.summary;
      if (s === undefined) return [row.system, `FAILED: ${row.error ?? "?"}`];
      return [row.system, row.variant, ms(s.p50Ms), ms(s.p99Ms), ms(s.maxMs), ms(s.meanMs)];
    }),
  );
}

export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
