/**
 * @flowmesh/core — the embeddable workflow engine. Plugin-author APIs live on
 * `@flowmesh/core/plugin`, test kits on `@flowmesh/core/testing`.
 */
export { createFlowMesh, FlowMesh } from "./engine/engine.js";
export type { Health, RegisterOptions, RetryOptions, StartOptions } from "./engine/engine.js";
export type { FlowMeshOptions, WorkerSettings } from "./engine/options.js";
export type { EngineStats, WorkerStats } from "./engine/stats.js";
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
export { isRetryLater } from "./retry-later.js";
export type { RetryLater } from "./retry-later.js";
export { createLogger } from "./logger.js";
export type { Logger, LoggerOptions } from "./logger.js";
export { definePlugin } from "./plugins/define-plugin.js";
export type {
  Capabilities,
  FlowMeshPlugin,
  PluginContext,
  SharedRedis,
  TaskPolicyProvider,
} from "./plugins/types.js";
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
// Writing workflows in code: functions, TC39 decorators, the Workflow/Task classes, the typed builder.
export { task } from "./authoring/task-function.js";
export { workflow } from "./authoring/workflow-function.js";
export { workflowOf } from "./authoring/decorators.js";
export { Task } from "./authoring/task-class.js";
export { Workflow } from "./authoring/workflow-class.js";
export { workflowBuilder } from "./authoring/builder.js";
export type { WorkflowBuilder } from "./authoring/builder.js";
export type {
  AuthoredHandler,
  BuilderOptions,
  BuilderTaskOptions,
  ClassWorkflowOptions,
  TaskConfig,
  TaskFunction,
  TaskLike,
  TaskMethodDecorator,
  TaskOptions,
  TaskOutput,
  TaskReference,
  WorkflowClassDecorator,
  WorkflowConfig,
  WorkflowOptions,
} from "./authoring/types.js";
// Config files: flowmesh.config.{ts,mts,mjs,js,json,yaml,yml} or package.json "flowmesh".
export { defineConfig } from "./config/define-config.js";
export { loadConfig } from "./config/load-config.js";
export { loadFlowMesh } from "./config/load-flowmesh.js";
export type {
  ConfigEngineOptions,
  ConfigWorkflow,
  FlowMeshConfig,
  LoadConfigOptions,
  LoadedConfig,
  LoadedFlowMesh,
  LoadFlowMeshOptions,
  LogLevel,
  PluginEntry,
  PluginSpecifier,
  ResolvedConfig,
  ServerConfig,
} from "./config/types.js";
// The YAML/JSON DSL: workflow files, handler resolution by name or module, export, JSON Schema.
export { parseWorkflow, parseWorkflowFile } from "./dsl/parse-workflow.js";
export { registerWorkflowFile } from "./dsl/register-file.js";
export { toJSON, toYAML } from "./dsl/export.js";
export { handlers } from "./dsl/handlers-plugin.js";
export type { AnyTaskHandler, HandlerMap } from "./dsl/handlers-plugin.js";
export { moduleHandlers } from "./dsl/module-handlers-plugin.js";
export { workflowJsonSchema } from "./dsl/json-schema.js";
export type { JsonSchema } from "./dsl/json-schema.js";
export type {
  ExportOptions,
  KeyStyle,
  LocatedIssue,
  ParseWorkflowOptions,
  SourcePosition,
  WorkflowFormat,
} from "./dsl/types.js";
