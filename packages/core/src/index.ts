/**
 * @flowmesh/core — the embeddable workflow engine. Plugin-author APIs live on
 * `@flowmesh/core/plugin`, test kits on `@flowmesh/core/testing`.
 */
export { createFlowMesh, FlowMesh } from "./engine/engine.js";
export type { Health, RegisterOptions, RetryOptions, StartOptions } from "./engine/engine.js";
export type { FlowMeshOptions } from "./engine/options.js";
export type { RunHandleHost } from "./engine/run-handle.js";
export type { RegisteredWorkflow } from "./engine/registry.js";
export { RunHandle } from "./engine/run-handle.js";
export { MemoryCoordinator } from "./backend/memory-coordinator.js";
export type { MemoryCoordinatorOptions } from "./backend/memory-coordinator.js";
export { LocalCoordinator } from "./backend/local-coordinator.js";
export type { Coordinator, ReadEventsOptions, RunResult, RunStore, RunSummary } from "./backend/types.js";
export { planWorkflow } from "./model/plan.js";
export type { PlannedTask, WorkflowPlan } from "./model/plan.js";
export { normalizeWorkflow, workflowDefinitionSchema } from "./model/schema.js";
export { parseDuration } from "./duration.js";
export type { Duration } from "./duration.js";
export { ERROR_CODES, FlowMeshError, NonRetryableError } from "./errors.js";
export type { FlowMeshErrorCode, FlowMeshErrorOptions, SerializedError } from "./errors.js";
export { createLogger } from "./logger.js";
export type { Logger, LoggerOptions } from "./logger.js";
export { definePlugin } from "./plugins/define-plugin.js";
export type { Capabilities, FlowMeshPlugin, PluginContext } from "./plugins/types.js";
export type {
  BeforeTaskDecision,
  EngineHooks,
  HandlerRequest,
  HookRegistry,
  TaskFailure,
  TaskResult,
  TaskRetry,
  WorkflowInfo,
  WorkflowStartInfo,
  WrapInfo,
} from "./hooks/types.js";
export type { FlowMeshEventMap, TaskEventBase } from "./events.js";
export type {
  Json,
  RetryPolicy,
  RetryPolicyInput,
  RunEvent,
  RunEventType,
  RunFilter,
  RunPage,
  RunRecord,
  RunStatus,
  TaskContext,
  TaskDefinition,
  TaskDefinitionInput,
  TaskHandler,
  TaskRecord,
  TaskStatus,
  TerminalRunStatus,
  WorkflowDefinition,
  WorkflowDefinitionInput,
} from "./types.js";
