/**
 * `pnpm bench:postgres`: FlowMesh on PostgreSQL vs graphile-worker (default,
 * and with its local queue and batched completion), pg-boss and BullMQ's
 * Postgres backend, in one process run, on the same Postgres, with
 * `pgbench`'s TPS printed beside them as the ceiling.
 *
 *   node dist/postgres/run.js [--quick] [--only=ceiling,single,dag] [--skip=<scenario or system>]
 */
import { kept, parseArgs, selected } from "../common/args.js";
import { formatCeilings, pgbenchCeilings, type Ceiling } from "../common/ceilings.js";
import type { BatchContender, FlowContender } from "../common/contenders.js";
import { formatGoals } from "../common/goals.js";
import { loadLine, machine, progress, writeResults } from "../common/results.js";
import { serverCpuMs } from "../common/server-cpu.js";
import {
  formatBatch,
  formatFlows,
  runBatchScenario,
  runFlowScenario,
  type BatchRow,
  type FlowRow,
} from "../common/scenarios.js";
import { bullmqBatchContenders, bullmqFlowContender, postgresTarget } from "../peers/bullmq.js";
import {
  GRAPHILE_BATCHED,
  GRAPHILE_DEFAULT,
  graphileBatchContenders,
  graphileFlowContender,
} from "../peers/graphile.js";
import { pgbossBatchContender, pgbossFlowContender } from "../peers/pgboss.js";
import { FULL, PG_URL, PGBENCH_DATABASE, QUICK, SCHEMAS, dropBenchSchemas } from "./config.js";
import { flowmeshPostgresContenders } from "./flowmesh.js";
import { postgresGoals } from "./goals.js";

const args = parseArgs();
const sizes = args.quick ? QUICK : FULL;
const TIMEOUT_MS = 10 * 60_000;

async function main(): Promise<void> {
  const bull = postgresTarget({ connectionString: PG_URL, schema: SCHEMAS.bullmq });
  const flowmesh = flowmeshPostgresContenders();
  const bullBatch = bullmqBatchContenders(bull)
    .filter((c) => c.name.includes("keep"))
    .map((c) => ({ ...c, name: "BullMQ on Postgres, keep completed" }));
  const batch: BatchContender[] = [
    ...flowmesh.batch,
    ...graphileBatchContenders(),
    pgbossBatchContender(),
    ...bullBatch,
  ].filter((c) => kept(args, c.name));
  const flows: FlowContender[] = [
    ...flowmesh.flows,
    graphileFlowContender(GRAPHILE_DEFAULT),
    graphileFlowContender(GRAPHILE_BATCHED),
    pgbossFlowContender(),
    { ...bullmqFlowContender(bull), name: "BullMQ on Postgres FlowProducer" },
  ].filter((c) => kept(args, c.name));
  const url = new URL(PG_URL);
  const out: string[] = [
    `FlowMesh on PostgreSQL vs graphile-worker, pg-boss, BullMQ on Postgres${args.quick ? " (--quick: reduced sizes, noisy figures)" : ""}`,
    loadLine(),
    `postgres ${url.host}${url.pathname}, one schema per system (${Object.values(SCHEMAS).join(", ")}), dropped before each scenario and at the end`,
    "",
  ];
  let ceilings: Ceiling[] = [];
  let batchRows: BatchRow[] = [];
  let flowRows: FlowRow[] = [];
  try {
    if (selected(args, "ceiling")) {
      progress("pgbench");
      ceilings = await pgbenchCeilings({
        host: url.hostname,
        port: Number(url.port || 5432),
        user: decodeURIComponent(url.username || "postgres"),
        database: PGBENCH_DATABASE,
        adminDatabase: url.pathname.slice(1) || "postgres",
        clients: sizes.concurrency,
        seconds: sizes.pgbenchSeconds,
      });
      out.push(formatCeilings("Ceiling: pgbench on this machine", ceilings), "");
    }
    if (selected(args, "single")) {
      batchRows = await runBatchScenario(batch, {
        jobs: sizes.batchJobs,
        concurrencies: [sizes.concurrency],
        timeoutMs: TIMEOUT_MS,
        reset: dropBenchSchemas,
        serverCpuMs: () => serverCpuMs("postgres"),
      });
      out.push(
        formatBatch(
          `Single-task workflows / jobs: ${sizes.batchJobs.toLocaleString("en-US")}, one worker`,
          batchRows,
        ),
        "",
      );
    }
    if (selected(args, "dag")) {
      flowRows = await runFlowScenario(flows, {
        concurrency: sizes.concurrency,
        flows: sizes.flows,
        inFlight: sizes.flowsInFlight,
        latencyRuns: sizes.flowLatencyRuns,
        timeoutMs: TIMEOUT_MS,
        reset: dropBenchSchemas,
      });
      out.push(
        formatFlows(
          `50-task 10-level DAG: ${sizes.flows} flows, ${sizes.flowsInFlight} at once, worker concurrency ${sizes.concurrency}; then ${sizes.flowLatencyRuns} one at a time`,
          flowRows,
        ),
        "",
      );
    }
  } finally {
    await dropBenchSchemas();
  }
  const goals = postgresGoals(batchRows, flowRows);
  out.push(formatGoals(goals));
  process.stdout.write(`${out.join("\n")}\n`);
  const file = await writeResults("postgres-latest", {
    machine: machine(),
    quick: args.quick,
    sizes,
    ceilings,
    batch: batchRows,
    flows: flowRows,
    goals,
  });
  process.stdout.write(`\nwrote ${file}\n`);
}

main().then(
  () => setTimeout(() => process.exit(0), 1_000).unref(),
  (error: unknown) => {
    process.stderr.write(
      `bench:postgres failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
