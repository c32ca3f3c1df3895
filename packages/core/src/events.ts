/**
 * Typed, observe-only engine events (eventemitter3). Anything that can change
 * the flow is a hook; events only tell. The engine emits an event only when
 * someone listens, so unused events cost nothing.
 */
import { EventEmitter } from "eventemitter3";
import type { RunRecord, TerminalRunStatus } from "./types.js";

/** Fields every task event carries. */
export interface TaskEventBase {
  runId: string;
  workflow: string;
  task: string;
  attempt: number;
}

/** Event name → payload. */
export interface FlowMeshEventMap {
  /** A run was created by this engine. */
  "run:created": { runId: string; workflow: string; version: string };
  /** A run reached a terminal status through this engine. */
  "run:finished": { run: RunRecord };
  /**
   * The same moment as `run:finished`, without the record: listening to it
   * costs no backend read (metrics count runs with it).
   */
  "run:ended": { runId: string; workflow: string; status: TerminalRunStatus };
  "task:started": TaskEventBase & { queueWaitMs: number };
  /** `queueWaitMs` is repeated on the outcome events, so a listener needs one event per attempt. */
  "task:succeeded": TaskEventBase & { durationMs: number; queueWaitMs: number; skipped: boolean };
  "task:failed": TaskEventBase & {
    durationMs: number;
    queueWaitMs: number;
    error: unknown;
    timedOut: boolean;
    final: boolean;
  };
  "task:retrying": TaskEventBase & { delayMs: number; error: unknown };
  /** The worker lost its lease on a running task; its outcome was discarded. */
  "task:lease_lost": TaskEventBase & { queueWaitMs: number };
  /** A notification hook (`on*`, `afterWorkflow`) threw; the error names the plugin. */
  "hook:error": { hook: string; error: unknown };
  /** A named circuit breaker changed state (emitted by `@flowmesh/plugin-resilience`). */
  "circuit:state": {
    name: string;
    state: "closed" | "open" | "half_open";
    previous: "closed" | "open" | "half_open";
  };
  /** The worker loop hit a backend error; it keeps going. */
  "worker:error": { error: unknown };
  /** This engine's sweep returned expired leases (their workers died or stalled) to the queue. */
  "worker:recovered": { leases: number };
}

type Listeners = { [K in keyof FlowMeshEventMap]: (event: FlowMeshEventMap[K]) => void };

/** The engine's typed emitter. */
export type FlowMeshEmitter = EventEmitter<Listeners>;

export function createEmitter(): FlowMeshEmitter {
  return new EventEmitter<Listeners>();
}
