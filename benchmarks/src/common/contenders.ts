/**
 * What a system under test offers the durable-backend scenarios. FlowMesh
 * and each peer implement the ones they can; a scenario runs all of its
 * contenders in one process, one after another, on a freshly emptied store.
 */
import type { LatencySummary } from "./stats.js";

/** Add-then-process figures of one batch of single-task jobs or runs. */
export interface BatchResult {
  jobs: number;
  /** Time to enqueue every job (no worker running). */
  addMs: number;
  /** Time from starting the worker to the last job's completion. */
  processMs: number;
  /** CPU the server's processes spent on the whole scenario (set up, enqueue, process), ms; when measured. */
  serverCpuMs?: number;
  /** CPU this process spent on it (the system's client side: every peer runs in-process), ms; when measured. */
  clientCpuMs?: number;
}

export interface BatchOptions {
  jobs: number;
  concurrency: number;
  timeoutMs: number;
}

/** (a): N single-task jobs, enqueued, then processed by one worker at a concurrency. */
export interface BatchContender {
  name: string;
  batch(options: BatchOptions): Promise<BatchResult>;
}

/** Closed-loop figures: `inFlight` flows at once until `flows` have finished. */
export interface FlowsResult {
  flows: number;
  jobs: number;
  elapsedMs: number;
}

/** A system set up to run the 50-task DAG (or its closest shape) repeatedly. */
export interface FlowRunner {
  throughput(flows: number, inFlight: number, timeoutMs: number): Promise<FlowsResult>;
  latency(flows: number): Promise<LatencySummary>;
  close(): Promise<void>;
}

/** (b): the 50-task, 10-level DAG. `shape` says how the system expresses it. */
export interface FlowContender {
  name: string;
  shape: string;
  open(concurrency: number): Promise<FlowRunner>;
}

/** (c): start → completed latency of single-task runs at low load, one variant per way of waiting. */
export interface LatencyContender {
  name: string;
  open(): Promise<LatencySession>;
}

/** A system set up for (c): each variant starts one single-task run and resolves when it has completed. */
export interface LatencySession {
  variants: Record<string, () => Promise<void>>;
  close(): Promise<void>;
}
