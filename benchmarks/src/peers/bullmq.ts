/**
 * BullMQ, the peer of the Redis (and Postgres) benchmarks. One module for
 * both of its backends: a {@link BullTarget} says how to build its queues,
 * workers, flow producers and event listeners on Redis or on PostgreSQL
 * (`createPostgresBackend`, shipped in bullmq ≥ 6.7). Every job is a no-op
 * returning 1, like FlowMesh's tasks.
 */
import {
  createPostgresBackend,
  FlowProducer,
  Queue,
  QueueEvents,
  Worker,
  type ConnectionOptions,
  type FlowJob,
  type Job,
} from "bullmq";
import type {
  BatchContender,
  BatchResult,
  FlowContender,
  FlowRunner,
  FlowsResult,
  LatencyContender,
  LatencySession,
} from "../common/contenders.js";
import { Countdown, pool, withTimeout } from "../common/countdown.js";
import { IN_PROCESS, SEPARATE_CLIENT } from "../common/scenarios.js";
import { nowMs, summarize, type LatencySummary } from "../common/stats.js";
import { buildTree, type TreeNode } from "../common/tree.js";

/** How to build BullMQ's classes on one backend. */
export interface BullTarget {
  /** "redis" or "postgres". */
  backend: string;
  queue(name: string): Queue;
  worker(name: string, concurrency: number, autorun: boolean): Worker;
  flowProducer(): FlowProducer;
  queueEvents(name: string): QueueEvents;
}

/** BullMQ on Redis: a dedicated database and key prefix. */
export function redisTarget(options: { host: string; port: number; db: number; prefix: string }): BullTarget {
  const connection: ConnectionOptions = {
    host: options.host,
    port: options.port,
    db: options.db,
    maxRetriesPerRequest: null,
  };
  const prefix = options.prefix;
  return {
    backend: "redis",
    queue: (name) => new Queue(name, { connection, prefix }),
    worker: (name, concurrency, autorun) =>
      new Worker(name, noop, { connection, prefix, concurrency, autorun }),
    flowProducer: () => new FlowProducer({ connection, prefix }),
    queueEvents: (name) => new QueueEvents(name, { connection, prefix }),
  };
}

/** BullMQ on PostgreSQL (its `createPostgresBackend`), in its own schema, migrated on connect. */
export function postgresTarget(options: { connectionString: string; schema: string }): BullTarget {
  const connection = { connectionString: options.connectionString, schema: options.schema, migrate: true };
  // The Postgres classes are BullMQ's classes with other type parameters; the benchmark uses their common API.
  return {
    backend: "postgres",
    queue: (name) => new Queue(name, { connection }, createPostgresBackend) as unknown as Queue,
    worker: (name, concurrency, autorun) =>
      new Worker(
        name,
        noop,
        { connection, concurrency, autorun },
        createPostgresBackend,
      ) as unknown as Worker,
    flowProducer: () => new FlowProducer({ connection }, createPostgresBackend) as unknown as FlowProducer,
    queueEvents: (name) =>
      new QueueEvents(name, { connection }, createPostgresBackend) as unknown as QueueEvents,
  };
}

const noop = async (): Promise<number> => 1;

const ADD_CHUNK = 1_000;

/**
 * Enqueues `jobs` single jobs (addBulk, 1,000 per call) with no worker
 * running, then starts one worker at `concurrency` and times it until every
 * job has completed (its `completed` event fires after the job is moved to
 * completed, or removed, in the store).
 */
export async function bullmqBatch(
  target: BullTarget,
  options: { jobs: number; concurrency: number; removeOnComplete: boolean; timeoutMs: number },
): Promise<BatchResult> {
  const name = `single-${options.concurrency}-${options.removeOnComplete ? "rm" : "keep"}`;
  const queue = target.queue(name);
  const worker = target.worker(name, options.concurrency, false);
  const countdown = new Countdown(options.jobs, `bullmq/${target.backend} ${name}`);
  worker.on("completed", () => countdown.tick());
  worker.on("failed", (_job, error) => countdown.fail(error));
  try {
    await queue.waitUntilReady();
    await worker.waitUntilReady();
    const opts = { removeOnComplete: options.removeOnComplete, removeOnFail: false };
    const addStart = nowMs();
    for (let start = 0; start < options.jobs; start += ADD_CHUNK) {
      const size = Math.min(ADD_CHUNK, options.jobs - start);
      await queue.addBulk(
        Array.from({ length: size }, (_, i) => ({ name: "job", data: { i: start + i }, opts })),
      );
    }
    const addMs = nowMs() - addStart;
    const processStart = nowMs();
    const running = worker.run();
    await countdown.wait(options.timeoutMs);
    const processMs = nowMs() - processStart;
    await worker.close();
    await running;
    return { jobs: options.jobs, addMs, processMs };
  } finally {
    await worker.close();
    await queue.close();
  }
}

/**
 * Runs the tree from {@link buildTree} as BullMQ flows. `bullmqFlows` keeps
 * `inFlight` flows in flight until `flows` have finished (the root's
 * `completed` event); `bullmqFlowLatency` runs them one at a time and
 * returns add → root completed latencies.
 */
export class BullmqFlows implements FlowRunner {
  private readonly producer: FlowProducer;
  private readonly worker: Worker;
  private readonly tree: TreeNode = buildTree();
  private readonly waiting = new Map<string, () => void>();
  private readonly finishedEarly = new Set<string>();
  private failure: Error | undefined;
  readonly queueName = "dag";

  constructor(
    private readonly target: BullTarget,
    concurrency: number,
  ) {
    this.producer = target.flowProducer();
    this.worker = target.worker(this.queueName, concurrency, true);
    this.worker.on("completed", (job: Job) => {
      if (job.parentKey !== undefined || job.id === undefined) return;
      const resolve = this.waiting.get(job.id);
      if (resolve === undefined) this.finishedEarly.add(job.id);
      else {
        this.waiting.delete(job.id);
        resolve();
      }
    });
    this.worker.on("failed", (_job, error) => {
      this.failure = error;
    });
  }

  async ready(): Promise<void> {
    await this.worker.waitUntilReady();
  }

  /** Adds one flow and resolves when its root job has completed. */
  async runOne(): Promise<void> {
    const node = await this.producer.add(this.toFlowJob(this.tree));
    const id = node.job.id!;
    if (this.failure) throw this.failure;
    if (this.finishedEarly.delete(id)) return;
    await new Promise<void>((resolve) => this.waiting.set(id, resolve));
  }

  /** `flows` flows, `inFlight` at a time. */
  async throughput(flows: number, inFlight: number, timeoutMs: number): Promise<FlowsResult> {
    const start = nowMs();
    await withTimeout(
      pool(flows, inFlight, () => this.runOne()),
      timeoutMs,
      `bullmq/${this.target.backend} flows`,
    );
    return { flows, jobs: flows * 50, elapsedMs: nowMs() - start };
  }

  /** Latency of `flows` flows run one after another. */
  async latency(flows: number): Promise<LatencySummary> {
    const samples: number[] = [];
    for (let i = 0; i < flows; i++) {
      const start = nowMs();
      await this.runOne();
      samples.push(nowMs() - start);
    }
    return summarize(samples);
  }

  async close(): Promise<void> {
    await this.worker.close();
    await this.producer.close();
  }

  private toFlowJob(node: TreeNode): FlowJob {
    const children = node.children.map((child) => this.toFlowJob(child));
    return {
      name: node.name,
      queueName: this.queueName,
      data: {},
      opts: { removeOnComplete: false },
      ...(children.length > 0 ? { children } : {}),
    };
  }
}

/**
 * Adds single jobs one at a time with a worker at concurrency 1 in this
 * process, keeping completed jobs; add → completed is learnt two ways:
 * in-process, from the worker's `completed` event (no extra round trip);
 * from a separate client, `job.waitUntilFinished(queueEvents)` (the events
 * stream).
 */
export async function bullmqLatency(target: BullTarget): Promise<LatencySession> {
  const name = "latency";
  const queue = target.queue(name);
  const worker = target.worker(name, 1, true);
  const events = target.queueEvents(name);
  const waiting = new Map<string, () => void>();
  const early = new Set<string>();
  worker.on("completed", (job: Job) => {
    const resolve = waiting.get(job.id!);
    if (resolve === undefined) early.add(job.id!);
    else {
      waiting.delete(job.id!);
      resolve();
    }
  });
  const close = async (): Promise<void> => {
    await worker.close();
    await events.close();
    await queue.close();
  };
  try {
    await Promise.all([queue.waitUntilReady(), worker.waitUntilReady(), events.waitUntilReady()]);
  } catch (error) {
    await close();
    throw error;
  }
  const opts = { removeOnComplete: false };
  const byEvent = async (): Promise<void> => {
    const job = await queue.add("job", {}, opts);
    if (early.delete(job.id!)) return;
    await new Promise<void>((resolve) => waiting.set(job.id!, resolve));
  };
  const byQueueEvents = async (): Promise<void> => {
    const job = await queue.add("job", {}, opts);
    await job.waitUntilFinished(events);
    early.delete(job.id!);
  };
  return { variants: { [IN_PROCESS]: byEvent, [SEPARATE_CLIENT]: byQueueEvents }, close };
}

/** BullMQ keeping completed jobs (comparable with FlowMesh, which keeps run history) and removing them. */
export function bullmqBatchContenders(target: BullTarget): BatchContender[] {
  return [false, true].map((removeOnComplete) => ({
    name: `BullMQ ${removeOnComplete ? "removeOnComplete" : "keep completed"}`,
    batch: (options) => bullmqBatch(target, { ...options, removeOnComplete }),
  }));
}

/** BullMQ's FlowProducer running the tree of `common/tree.ts`. */
export function bullmqFlowContender(target: BullTarget): FlowContender {
  return {
    name: "BullMQ FlowProducer",
    shape: "tree: a hub per level waits for the 5 jobs below it; 4 leaves per level wait for nothing",
    open: async (concurrency) => {
      const flows = new BullmqFlows(target, concurrency);
      await flows.ready();
      return flows;
    },
  };
}

/** BullMQ's low-load latency. */
export function bullmqLatencyContender(target: BullTarget): LatencyContender {
  return { name: "BullMQ", open: () => bullmqLatency(target) };
}
