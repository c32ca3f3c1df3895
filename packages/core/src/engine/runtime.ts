import type { Coordinator, OutcomeResult } from "../backend/types.js";
import type { FlowMeshEmitter } from "../events.js";
import type { HookRegistry } from "../hooks/types.js";
import type { Logger } from "../logger.js";
import type { TerminalRunStatus } from "../types.js";
import type { WorkflowRegistry } from "./registry.js";

/** What the executor and the worker share with the engine: one object, built once. */
export interface EngineRuntime {
  readonly coordinator: Coordinator;
  readonly registry: WorkflowRegistry;
  readonly hooks: HookRegistry;
  readonly events: FlowMeshEmitter;
  readonly logger: Logger;
  /**
   * This engine's outcome ended a run: fire the workflow-level hooks and log
   * it. `outcome` is what the backend returned (it may carry the run's result or times).
   */
  runFinished(
    runId: string,
    workflow: string,
    status: TerminalRunStatus,
    outcome?: OutcomeResult,
  ): Promise<void>;
  /** The executor finished reporting outcomes of a run: release waiters a deferred signal left waiting. */
  outcomeReported(runId: string): void;
  /** A notification hook threw: log it and emit `hook:error` (never dropped). */
  hookError(hook: string, error: unknown): void;
  /** Settles once every registration in progress has settled; undefined when none is. */
  registrationsSettled(): Promise<void> | undefined;
}
