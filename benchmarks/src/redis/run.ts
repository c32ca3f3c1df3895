/**
 * `pnpm bench:redis`: FlowMesh on Redis vs BullMQ, in one process run, on
 * the same Redis, with the machine's Redis ceiling (`redis-benchmark`)
 * printed beside them.
 *
 *   node dist/redis/run.js [--quick] [--only=ceiling,single,dag,latency] [--skip=<scenario or system>] [--concurrency=N]
 *
 * (a) single-task workflows vs single jobs, one worker at concurrency 1, 10, 100;
 * (b) the 50-task, 10-level DAG vs BullMQ's closest FlowProducer tree;
 * (c) start → completed latency of single-task runs at low load.
 */
import { kept, parseArgs, selected } from "../common/args.js";
import { formatCeilings, redisCeilings, type Ceiling } from "../common/ceilings.js";
import type { BatchContender, FlowContender, LatencyContender } from "../common/contenders.js";
import { formatGoals, type Goal } from "../common/goals.js";
import { loadLine, machine, progress, writeResults } from "../common/results.js";
import { serverCpuMs } from "../common/server-cpu.js";
import {
  formatBatch,
  formatFlows,
  formatLatency,
  runBatchScenario,
  runFlowScenario,
  runLatencyScenario,
  type BatchRow,
  type FlowRow,
  type LatencyRow,
} from "../common/scenarios.js";
import {
  bullmqBatchContenders,
  bullmqFlowContender,
  bullmqLatencyContender,
  redisTarget,
} from "../peers/bullmq.js";
import { FULL, QUICK, KEY_PREFIX, REDIS_DB, REDIS_HOST, REDIS_PORT, flushBenchDb } from "./config.js";
import { flowmeshRedisContenders } from "./flowmesh.js";
import { redisGoals } from "./goals.js";

const args = parseArgs();
const sizes = args.quick ? QUICK : FULL;
/** A contender that has not finished a scenario by then has stalled. */
const TIMEOUT_MS = 10 * 60_000;
/** Worker concurrency of the DAG scenario (both systems). */
const DAG_CONCURRENCY = 100;

async function main(): Promise<void> {
  const bull = redisTarget({ host: REDIS_HOST, port: REDIS_PORT, db: REDIS_DB, prefix: KEY_PREFIX });
  const flowmesh = flowmeshRedisContenders();
  const batch: BatchContender[] = [...flowmesh.batch, ...bullmqBatchContenders(bull)].filter((c) =>
    kept(args, c.name),
  );
  const flows: FlowContender[] = [...flowmesh.flows, bullmqFlowContender(bull)].filter((c) =>
    kept(args, c.name),
  );
  const latency: LatencyContender[] = [...flowmesh.latency, bullmqLatencyContender(bull)].filter((c) =>
    kept(args, c.name),
  );
  const out: string[] = [
    `FlowMesh on Redis vs BullMQ${args.quick ? " (--quick: reduced sizes, noisy figures)" : ""}`,
    loadLine(),
    `redis ${REDIS_HOST}:${REDIS_PORT} db ${REDIS_DB}, keys prefixed "${KEY_PREFIX}"`,
    "",
  ];
  let ceilings: Ceiling[] = [];
  let batchRows: BatchRow[] = [];
  let flowRows: FlowRow[] = [];
  let latencyRows: LatencyRow[] = [];

  if (selected(args, "ceiling")) {
    progress("redis-benchmark");
    await flushBenchDb();
    ceilings = await redisCeilings({
      host: REDIS_HOST,
      port: REDIS_PORT,
      db: REDIS_DB,
      requests: sizes.ceilingRequests,
      clients: 50,
      evalKey: `${KEY_PREFIX}:ceiling`,
    });
    out.push(formatCeilings("Ceiling: redis-benchmark on this machine", ceilings), "");
  }
  if (selected(args, "single")) {
    batchRows = await runBatchScenario(batch, {
      jobs: sizes.batchJobs,
      concurrencies: args.concurrency === undefined ? sizes.concurrencies : [args.concurrency],
      timeoutMs: TIMEOUT_MS,
      reset: flushBenchDb,
      serverCpuMs: () => serverCpuMs("redis-server"),
    });
    out.push(
      formatBatch(
        `(a) ${sizes.batchJobs.toLocaleString("en-US")} single-task workflows / jobs, one worker`,
        batchRows,
      ),
      "",
    );
  }
  if (selected(args, "dag")) {
    flowRows = await runFlowScenario(flows, {
      concurrency: DAG_CONCURRENCY,
      flows: sizes.flows,
      inFlight: sizes.flowsInFlight,
      latencyRuns: sizes.flowLatencyRuns,
      timeoutMs: TIMEOUT_MS,
      reset: flushBenchDb,
    });
    out.push(
      formatFlows(
        `(b) 50-task 10-level DAG: ${sizes.flows} flows, ${sizes.flowsInFlight} at once, worker concurrency ${DAG_CONCURRENCY}; then ${sizes.flowLatencyRuns} one at a time`,
        flowRows,
      ),
      "",
    );
  }
  if (selected(args, "latency")) {
    latencyRows = await runLatencyScenario(latency, {
      runs: sizes.latencyRuns,
      warmup: sizes.latencyWarmup,
      rounds: sizes.latencyRounds,
      reset: flushBenchDb,
    });
    out.push(
      formatLatency(
        `(c) start → completed, single-task runs one at a time (${sizes.latencyRuns} after ${sizes.latencyWarmup} warm-up, per variant, in ${sizes.latencyRounds} interleaved rounds), worker concurrency 1`,
        latencyRows,
      ),
      "",
    );
  }
  await flushBenchDb();
  const goals: Goal[] = redisGoals(batchRows, flowRows, latencyRows);
  out.push(formatGoals(goals));
  process.stdout.write(`${out.join("\n")}\n`);
  const file = await writeResults("redis-latest", {
    machine: machine(),
    quick: args.quick,
    sizes,
    ceilings,
    batch: batchRows,
    flows: flowRows,
    latency: latencyRows,
    goals,
  });
  process.stdout.write(`\nwrote ${file}\n`);
}

main().then(
  () => setTimeout(() => process.exit(0), 1_000).unref(),
  (error: unknown) => {
    process.stderr.write(
      `bench:redis failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
