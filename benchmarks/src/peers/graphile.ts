/**
 * graphile-worker 0.17, a peer of the Postgres benchmark, in its own schema:
 * its default configuration, and with its local queue and batched
 * completion on, at the size of its performance page
 * (https://worker.graphile.org/docs/performance) and at the size its 0.17
 * release notes recommend (RELEASE_NOTES.md: "recommend setting it to
 * `concurrency + 1`"). It deletes a job once completed: it keeps no history.
 */
import { EventEmitter } from "node:events";
import {
  Logger,
  makeWorkerUtils,
  run,
  type AddJobsJobSpec,
  type Runner,
  type WorkerEvents,
} from "graphile-worker";
import pg from "pg";
import type { BatchContender, BatchOptions, BatchResult, FlowContender } from "../common/contenders.js";
import { Countdown, until } from "../common/countdown.js";
import { message } from "../common/scenarios.js";
import { nowMs } from "../common/stats.js";
import { PG_URL, SCHEMAS } from "../postgres/config.js";
import { BARRIER_SHAPE, BarrierFlows, createBarrierTable, type LevelJob } from "./barrier.js";

const schema = SCHEMAS.graphile;
const silent = new Logger(() => () => {});
const ADD_CHUNK = 1_000;

/** A configuration of graphile-worker: its name in the tables and its preset at a concurrency. */
export interface GraphileVariant {
  name: string;
  preset(concurrency: number): GraphileConfig.Preset | undefined;
}

export const GRAPHILE_DEFAULT: GraphileVariant = { name: "graphile-worker default", preset: () => undefined };

const batched = (size: number): GraphileConfig.Preset => ({
  worker: { localQueue: { size }, completeJobBatchDelay: 0, failJobBatchDelay: 0 },
});

/**
 * Its performance page's settings: a local queue of 500 jobs fetched per
 * query, completions batched per tick. The goal's peer.
 */
export const GRAPHILE_BATCHED: GraphileVariant = {
  name: "graphile-worker localQueue+batched",
  preset: () => batched(500),
};

/**
 * The local queue at the size its 0.17 release notes recommend, concurrency + 1,
 * completions batched. Printed beside the goal's peer, to show how much of
 * that peer's rate is its 500-job local queue.
 */
export const GRAPHILE_RECOMMENDED: GraphileVariant = {
  name: "graphile-worker localQueue=c+1+batched",
  preset: (concurrency) => batched(concurrency + 1),
};

function presetOf(variant: GraphileVariant, concurrency: number): { preset?: GraphileConfig.Preset } {
  const preset = variant.preset(concurrency);
  return preset ? { preset } : {};
}

async function jobsLeft(pool: pg.Pool): Promise<number> {
  const result = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${schema}._private_jobs`);
  return Number(result.rows[0]!.n);
}

/**
 * Adds `jobs` jobs (`addJobs`, 1,000 per call) with no worker running, then
 * runs a worker pool at `concurrency` until every job has completed: its
 * `job:complete` event for each, then (to cover batched completion) the
 * jobs table is empty.
 */
export async function graphileBatch(variant: GraphileVariant, options: BatchOptions): Promise<BatchResult> {
  const utils = await makeWorkerUtils({ connectionString: PG_URL, schema, logger: silent });
  const pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
  try {
    await utils.migrate();
    const addStart = nowMs();
    for (let start = 0; start < options.jobs; start += ADD_CHUNK) {
      const size = Math.min(ADD_CHUNK, options.jobs - start);
      const specs: AddJobsJobSpec[] = Array.from({ length: size }, (_, i) => ({
        identifier: "job",
        payload: { i: start + i },
      }));
      await utils.addJobs(specs);
    }
    const addMs = nowMs() - addStart;
    const events: WorkerEvents = new EventEmitter();
    const countdown = new Countdown(options.jobs, `${variant.name} c=${options.concurrency}`);
    events.on("job:complete", ({ error }) => {
      if (error) countdown.fail(new Error(`job failed: ${message(error)}`));
      else countdown.tick();
    });
    const processStart = nowMs();
    const runner = await run({
      connectionString: PG_URL,
      schema,
      concurrency: options.concurrency,
      noHandleSignals: true,
      logger: silent,
      events,
      taskList: { job: async () => {} },
      ...presetOf(variant, options.concurrency),
    });
    try {
      await countdown.wait(options.timeoutMs);
      await until(async () => (await jobsLeft(pool)) === 0, 5, options.timeoutMs, variant.name);
      return { jobs: options.jobs, addMs, processMs: nowMs() - processStart };
    } finally {
      await runner.stop();
    }
  } finally {
    await pool.end();
    await utils.release();
  }
}

export function graphileBatchContenders(): BatchContender[] {
  return [GRAPHILE_DEFAULT, GRAPHILE_RECOMMENDED, GRAPHILE_BATCHED].map((variant) => ({
    name: variant.name,
    batch: (options) => graphileBatch(variant, options),
  }));
}

/** The DAG as level barriers (see `barrier.ts`) on graphile-worker. */
export function graphileFlowContender(variant: GraphileVariant): FlowContender {
  return {
    name: variant.name,
    shape: BARRIER_SHAPE,
    open: async (concurrency) => {
      const utils = await makeWorkerUtils({ connectionString: PG_URL, schema, logger: silent });
      await utils.migrate();
      const pool = new pg.Pool({ connectionString: PG_URL, max: concurrency });
      await createBarrierTable(pool);
      const enqueue = async (jobs: LevelJob[]): Promise<void> => {
        await utils.addJobs(jobs.map((payload) => ({ identifier: "dag", payload })));
      };
      const started: { runner?: Runner } = {};
      const flows = new BarrierFlows(pool, enqueue, async () => {
        await started.runner?.stop();
        await pool.end();
        await utils.release();
      });
      started.runner = await run({
        connectionString: PG_URL,
        schema,
        concurrency,
        noHandleSignals: true,
        logger: silent,
        taskList: { dag: (payload) => flows.handle(payload as LevelJob) },
        ...presetOf(variant, concurrency),
      });
      return flows;
    },
  };
}
