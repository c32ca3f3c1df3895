/**
 * `pnpm bench:api`: API latency with autocannon on loopback against
 * `flowmesh serve` (memory backend, in-process worker): `GET /runs/:id` and
 * `POST /runs` (start a run) at a fixed 200 and 1,000 requests/s, 10 s
 * each, after an unmeasured warm-up. Goal: p99 under 10 ms at 1,000 req/s
 * for both, zero errors.
 *
 *   node dist/api/run.js [--quick] [--server=direct] [--cpu-prof=<dir>]
 *
 * `--quick` runs 3 s per step; `--server=direct` serves through
 * `startServer` instead of the CLI; `--cpu-prof=<dir>` profiles the server
 * process (node --cpu-prof) and writes the .cpuprofile there.
 */
import { parseArgs } from "../common/args.js";
import { formatGoals, type Goal } from "../common/goals.js";
import { loadLine, machine, progress, writeResults } from "../common/results.js";
import { int, ms, renderTable } from "../common/table.js";
import { load, type LoadResult } from "./load.js";
import { startServerProcess, WORKFLOW } from "./server.js";

const args = parseArgs();
const argv = process.argv.slice(2);
const mode = argv.includes("--server=direct") ? "direct" : "cli";
const profileDir = argv.find((a) => a.startsWith("--cpu-prof="))?.slice("--cpu-prof=".length);
const SECONDS = args.quick ? 3 : 10;
const WARMUP_SECONDS = 2;
const RATES = [200, 1_000];
/** Enough sockets that a slow answer does not hold the next requests back (a fixed rate needs spare connections). */
const CONNECTIONS = 32;
const P99_GOAL_MS = 10;
const GOAL_RATE = 1_000;

interface Step {
  endpoint: string;
  rate: number;
  result: LoadResult;
}

async function main(): Promise<void> {
  const nodeArgs = profileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${profileDir}`];
  progress(`starting the server (${mode})`);
  const server = await startServerProcess(mode, nodeArgs);
  const steps: Step[] = [];
  try {
    const startBody = JSON.stringify({ workflow: WORKFLOW, input: { n: 1 } });
    const created = await fetch(`${server.url}/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: startBody,
    });
    if (created.status !== 201)
      throw new Error(`POST /runs answered ${created.status}: ${await created.text()}`);
    const runId = ((await created.json()) as { id: string }).id;
    const endpoints = [
      { endpoint: "GET /runs/:id", url: `${server.url}/runs/${runId}`, method: "GET" as const },
      { endpoint: "POST /runs", url: `${server.url}/runs`, method: "POST" as const, body: startBody },
    ];
    for (const e of endpoints) {
      progress(`warm-up: ${e.endpoint}, ${WARMUP_SECONDS} s at 200 req/s`);
      await load({ ...e, rate: 200, seconds: WARMUP_SECONDS, connections: CONNECTIONS });
    }
    for (const rate of RATES) {
      for (const e of endpoints) {
        progress(`${e.endpoint} at ${rate} req/s for ${SECONDS} s`);
        steps.push({
          endpoint: e.endpoint,
          rate,
          result: await load({ ...e, rate, seconds: SECONDS, connections: CONNECTIONS }),
        });
      }
    }
  } finally {
    await server.stop();
  }
  const goals: Goal[] = steps
    .filter((s) => s.rate === GOAL_RATE)
    .flatMap((s) => [
      {
        name: `${s.endpoint} p99 at ${int(s.rate)} req/s`,
        wanted: `< ${P99_GOAL_MS} ms`,
        actual: `${ms(s.result.p99Ms)} ms`,
        pass: s.result.p99Ms < P99_GOAL_MS,
      },
      {
        name: `${s.endpoint} errors at ${int(s.rate)} req/s`,
        wanted: "0",
        actual: int(s.result.errors),
        pass: s.result.errors === 0,
      },
    ]);
  const table = renderTable(
    `API latency: autocannon, fixed rate, ${SECONDS} s per step, ${CONNECTIONS} connections, loopback`,
    [
      { header: "endpoint" },
      { header: "target req/s", numeric: true },
      { header: "achieved req/s", numeric: true },
      { header: "requests", numeric: true },
      { header: "p50 ms", numeric: true },
      { header: "p99 ms", numeric: true },
      { header: "max ms", numeric: true },
      { header: "errors", numeric: true },
    ],
    steps.map((s) => [
      s.endpoint,
      int(s.rate),
      int(s.result.achievedRate),
      int(s.result.requests),
      ms(s.result.p50Ms),
      ms(s.result.p99Ms),
      ms(s.result.maxMs),
      int(s.result.errors),
    ]),
  );
  process.stdout.write(
    [
      `FlowMesh API latency${args.quick ? " (--quick: 3 s steps)" : ""}`,
      loadLine(),
      `server: ${server.how}, memory backend, in-process worker, child process ${server.pid ?? "?"}; load generator in this process`,
      "",
      table,
      "",
      formatGoals(goals),
      "",
    ].join("\n"),
  );
  const file = await writeResults("api-latest", {
    machine: machine(),
    quick: args.quick,
    server: server.how,
    steps,
    goals,
  });
  process.stdout.write(`wrote ${file}\n`);
}

main().then(
  () => setTimeout(() => process.exit(0), 1_000).unref(),
  (error: unknown) => {
    process.stderr.write(
      `bench:api failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
