/** What an engine reports about its load, for metrics: see `FlowMesh.stats()`. */
export interface EngineStats {
  /** The backend's short name (`memory`, `redis`, `postgres`). */
  backend: string;
  /** Ready and retrying tasks waiting to be claimed, across every process (from the backend). */
  queueDepth: number;
  /**
   * Runs not finished yet (`pending` or `running`), across every process;
   * `undefined` when the backend cannot count them (no `countActiveRuns`).
   */
  activeRuns: number | undefined;
  /** This engine's worker, or `undefined` when it runs none (an API-only process). */
  worker: WorkerStats | undefined;
}

/** One engine's worker: its slots, and whether its last backend call succeeded. */
export interface WorkerStats {
  /** Attempts it runs at once at most (its slots). */
  concurrency: number;
  /** Attempts running now (busy slots). */
  running: number;
  healthy: boolean;
}
