/**
 * `@flowmesh/core/plugin` — what plugin and backend authors build against.
 */
export { definePlugin } from "./plugins/define-plugin.js";
export type {
  Capabilities,
  FlowMeshPlugin,
  PluginContext,
  PluginDefinition,
  SharedRedis,
  TaskPolicyProvider,
  PluginFactory,
  ScopedHook,
  ScopedHooks,
} from "./plugins/types.js";
export { wrapTapErrors, isTapped } from "./hooks/create-hooks.js";
export type { HookRegistry, EngineHooks } from "./hooks/types.js";
export { MemoryCoordinator } from "./backend/memory-coordinator.js";
export type { MemoryCoordinatorOptions } from "./backend/memory-coordinator.js";
export { LocalCoordinator } from "./backend/local-coordinator.js";
export type {
  ClaimedTask,
  ClaimRequest,
  CompleteRequest,
  Coordinator,
  CoordinatorHealth,
  CoordinatorSignal,
  CreateRunRequest,
  CreateRunResult,
  FailRequest,
  FinishRunRequest,
  GraphTask,
  LeaseRef,
  OutcomeResult,
  ReadEventsOptions,
  RecoverResult,
  RetryRunRequest,
  RunGraph,
  RunResult,
  RunStore,
  RunSummary,
  SyncCoordinatorOps,
} from "./backend/types.js";
export { serializeError, isNonRetryable } from "./errors.js";
export { isRetryLater } from "./retry-later.js";
export type { RetryLater } from "./retry-later.js";
export { uuidv7 } from "./ids.js";
