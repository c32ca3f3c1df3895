/**
 * The DAG for queues without flows (graphile-worker, pg-boss): a level
 * barrier kept in a counter table. The layered DAG's edges are exactly "every
 * task of level L + 1 waits for all of level L", so one counter per (flow,
 * level) expresses it: each finished task decrements its level's counter,
 * and the task that brings it to 0 enqueues the next level's 5 tasks (or,
 * at the last level, reports the flow finished).
 *
 * This is the user code such a queue needs. It is not crash-safe — the
 * decrement and the enqueue are separate statements and not tied to the
 * job's own completion, so a retried job can decrement twice — which makes
 * the peers' figures optimistic.
 */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { FlowRunner, FlowsResult } from "../common/contenders.js";
import { pool, withTimeout } from "../common/countdown.js";
import { nowMs, summarize, type LatencySummary } from "../common/stats.js";
import { SCHEMAS } from "../postgres/config.js";

export const LEVELS = 10;
export const WIDTH = 5;

const TABLE = `${SCHEMAS.barrier}.levels`;

/** Creates the counter table (idempotent). */
export async function createBarrierTable(pool: pg.Pool): Promise<void> {
  await pool.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMAS.barrier}`);
  await pool.query(
    `CREATE TABLE IF NOT EXISTS ${TABLE} (flow text NOT NULL, level int NOT NULL, remaining int NOT NULL, PRIMARY KEY (flow, level))`,
  );
}

/** Inserts a flow's counters: one per level, each waiting for `WIDTH` tasks. */
export async function openFlow(pool: pg.Pool, flow: string): Promise<void> {
  await pool.query(
    `INSERT INTO ${TABLE} (flow, level, remaining) SELECT $1, g, ${WIDTH} FROM generate_series(0, ${LEVELS - 1}) g`,
    [flow],
  );
}

/** Counts one finished task of `level`; true when it was the level's last. */
export async function taskDone(pool: pg.Pool, flow: string, level: number): Promise<boolean> {
  const result = await pool.query<{ remaining: number }>(
    `UPDATE ${TABLE} SET remaining = remaining - 1 WHERE flow = $1 AND level = $2 RETURNING remaining`,
    [flow, level],
  );
  return result.rows[0]?.remaining === 0;
}

/** A DAG job's payload. */
export interface LevelJob {
  flow: string;
  level: number;
  task: number;
}

/** The `WIDTH` jobs of one level of a flow. */
export function levelJobs(flow: string, level: number): LevelJob[] {
  return Array.from({ length: WIDTH }, (_, task) => ({ flow, level, task }));
}

export const BARRIER_SHAPE =
  "the DAG's barriers in user code: a counter per (flow, level); the task that empties it enqueues the next level (not crash-safe)";

/**
 * Runs barrier-shaped flows on a queue: `enqueue` puts jobs on it, and the
 * queue's job handler calls {@link BarrierFlows.handle}. A flow is finished
 * when the last level's counter reaches 0.
 */
export class BarrierFlows implements FlowRunner {
  private readonly waiting = new Map<string, () => void>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly enqueue: (jobs: LevelJob[]) => Promise<void>,
    private readonly shutdown: () => Promise<void>,
  ) {}

  /** The job handler: the task's (empty) work, then the barrier. */
  async handle(job: LevelJob): Promise<void> {
    if (!(await taskDone(this.pool, job.flow, job.level))) return;
    if (job.level < LEVELS - 1) {
      await this.enqueue(levelJobs(job.flow, job.level + 1));
      return;
    }
    const resolve = this.waiting.get(job.flow);
    this.waiting.delete(job.flow);
    resolve?.();
  }

  async runOne(): Promise<void> {
    const flow = randomUUID();
    await openFlow(this.pool, flow);
    const finished = new Promise<void>((resolve) => this.waiting.set(flow, resolve));
    await this.enqueue(levelJobs(flow, 0));
    await finished;
  }

  async throughput(flows: number, inFlight: number, timeoutMs: number): Promise<FlowsResult> {
    const start = nowMs();
    await withTimeout(
      pool(flows, inFlight, () => this.runOne()),
      timeoutMs,
      "barrier flows",
    );
    return { flows, jobs: flows * LEVELS * WIDTH, elapsedMs: nowMs() - start };
  }

  async latency(flows: number): Promise<LatencySummary> {
    const samples: number[] = [];
    for (let i = 0; i < flows; i++) {
      const start = nowMs();
      await withTimeout(this.runOne(), 120_000, "barrier flow");
      samples.push(nowMs() - start);
    }
    return summarize(samples);
  }

  close(): Promise<void> {
    return this.shutdown();
  }
}
