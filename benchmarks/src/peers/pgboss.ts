/**
 * pg-boss 10, a peer of the Postgres benchmark, in its own schema. pg-boss
 * has no concurrency option: a `work()` call is one polling loop that fetches
 * up to `batchSize` jobs, runs the handler, completes the batch in one
 * query, and sleeps until its polling interval (0.5 s at least) has passed
 * unless the batch took longer. Concurrency 10 is 10 loops, each running its
 * batch's jobs one at a time; with batches of 100 that caps it at
 * 10 × 100 / 0.5 s = 2,000 jobs/s, and a bigger batch lets it go faster
 * only by locking more jobs per worker. It keeps completed jobs (archived later).
 */
import PgBoss from "pg-boss";
import pg from "pg";
import type { BatchContender, BatchOptions, BatchResult, FlowContender } from "../common/contenders.js";
import { until } from "../common/countdown.js";
import { nowMs } from "../common/stats.js";
import { PG_URL, SCHEMAS } from "../postgres/config.js";
import { BARRIER_SHAPE, BarrierFlows, createBarrierTable, type LevelJob } from "./barrier.js";

const ADD_CHUNK = 1_000;
export const PGBOSS_BATCH_SIZE = 100;
const POLLING_INTERVAL_SECONDS = 0.5;

async function startBoss(concurrency: number): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: PG_URL,
    schema: SCHEMAS.pgboss,
    max: concurrency + 2,
    supervise: false,
    schedule: false,
    migrate: true,
  });
  boss.on("error", (error) => process.stderr.write(`pg-boss: ${String(error)}\n`));
  await boss.start();
  return boss;
}

async function startWorkers(
  boss: PgBoss,
  queue: string,
  concurrency: number,
  handle: (data: unknown) => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < concurrency; i++) {
    await boss.work(
      queue,
      { batchSize: PGBOSS_BATCH_SIZE, pollingIntervalSeconds: POLLING_INTERVAL_SECONDS },
      async (jobs) => {
        for (const job of jobs) await handle(job.data);
      },
    );
  }
}

/**
 * Inserts `jobs` jobs (`insert`, 1,000 per call) with no worker running,
 * then starts `concurrency` work loops and polls (every 5 ms) until no job
 * is left before the completed state.
 */
export async function pgbossBatch(options: BatchOptions): Promise<BatchResult> {
  const boss = await startBoss(options.concurrency);
  try {
    const queue = "job";
    await boss.createQueue(queue);
    const addStart = nowMs();
    for (let start = 0; start < options.jobs; start += ADD_CHUNK) {
      const size = Math.min(ADD_CHUNK, options.jobs - start);
      await boss.insert(Array.from({ length: size }, (_, i) => ({ name: queue, data: { i: start + i } })));
    }
    const addMs = nowMs() - addStart;
    const processStart = nowMs();
    await startWorkers(boss, queue, options.concurrency, async () => 1);
    await until(
      async () => (await boss.getQueueSize(queue, { before: "completed" })) === 0,
      5,
      options.timeoutMs,
      "pg-boss",
    );
    return { jobs: options.jobs, addMs, processMs: nowMs() - processStart };
  } finally {
    await boss.stop({ graceful: false, wait: true, timeout: 5_000 });
  }
}

export function pgbossBatchContender(): BatchContender {
  return { name: `pg-boss (batchSize ${PGBOSS_BATCH_SIZE})`, batch: pgbossBatch };
}

/** The DAG as level barriers (see `barrier.ts`) on pg-boss. */
export function pgbossFlowContender(): FlowContender {
  return {
    name: `pg-boss (batchSize ${PGBOSS_BATCH_SIZE})`,
    shape: BARRIER_SHAPE,
    open: async (concurrency) => {
      const boss = await startBoss(concurrency);
      const queue = "dag";
      await boss.createQueue(queue);
      const pool = new pg.Pool({ connectionString: PG_URL, max: concurrency });
      await createBarrierTable(pool);
      const enqueue = async (jobs: LevelJob[]): Promise<void> => {
        await boss.insert(jobs.map((data) => ({ name: queue, data })));
      };
      const flows = new BarrierFlows(pool, enqueue, async () => {
        await boss.stop({ graceful: false, wait: true, timeout: 5_000 });
        await pool.end();
      });
      await startWorkers(boss, queue, concurrency, (data) => flows.handle(data as LevelJob));
      return flows;
    },
  };
}
