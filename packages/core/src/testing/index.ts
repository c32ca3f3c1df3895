/**
 * `@flowmesh/core/testing`: the backend conformance suite every coordinator
 * runs unchanged, and the small helpers it is built from. Needs vitest.
 */
export { describeCoordinatorConformance } from "./conformance.js";
export type { ConformanceOptions } from "./conformance.js";
export {
  chain,
  claimAll,
  compareEventIds,
  diamond,
  graph,
  parallel,
  sleep,
  task,
  waitFor,
} from "./graphs.js";
export type { ClaimAllOptions, WaitForOptions } from "./graphs.js";
export { FaultHarness, WorkerProcess } from "./fault-harness.js";
export type { SpawnWorkerOptions, WorkerExit } from "./fault-harness.js";
export { TcpProxy } from "./tcp-proxy.js";
export { assertPackagesBuilt, committedOutputs, dag3Values, executionsByTask } from "./fault-workload.js";
export type { Execution } from "./fault-workload.js";
