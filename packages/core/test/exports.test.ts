import { describe, expect, it } from "vitest";
import * as core from "../src/index.js";
import * as plugin from "../src/plugin.js";
import * as testing from "../src/testing/index.js";

// The public surface changes only on purpose: update these lists in the same change.
describe("public exports", () => {
  it("@flowmesh/core exports exactly these runtime names", () => {
    expect(Object.keys(core).sort()).toEqual([
      "ERROR_CODES",
      "FlowMesh",
      "FlowMeshError",
      "LocalCoordinator",
      "MemoryCoordinator",
      "NonRetryableError",
      "RunHandle",
      "Task",
      "Workflow",
      "createFlowMesh",
      "createLogger",
      "defineConfig",
      "definePlugin",
      "handlers",
      "isRetryLater",
      "loadConfig",
      "loadFlowMesh",
      "moduleHandlers",
      "normalizeWorkflow",
      "parseDuration",
      "parseWorkflow",
      "parseWorkflowFile",
      "planWorkflow",
      "registerWorkflowFile",
      "task",
      "toJSON",
      "toYAML",
      "workflow",
      "workflowBuilder",
      "workflowDefinitionSchema",
      "workflowJsonSchema",
      "workflowOf",
    ]);
  });

  it("@flowmesh/core/plugin exports exactly these runtime names", () => {
    expect(Object.keys(plugin).sort()).toEqual([
      "LocalCoordinator",
      "MemoryCoordinator",
      "definePlugin",
      "isNonRetryable",
      "isRetryLater",
      "isTapped",
      "serializeError",
      "uuidv7",
      "wrapTapErrors",
    ]);
  });

  it("@flowmesh/core/testing exports exactly these runtime names", () => {
    expect(Object.keys(testing).sort()).toEqual([
      "FaultHarness",
      "TcpProxy",
      "WorkerProcess",
      "assertPackagesBuilt",
      "chain",
      "claimAll",
      "committedOutputs",
      "compareEventIds",
      "dag3Values",
      "describeCoordinatorConformance",
      "diamond",
      "executionsByTask",
      "graph",
      "parallel",
      "sleep",
      "task",
      "waitFor",
    ]);
  });

  it("shares one definePlugin and one backend class between the root and the plugin entry points", () => {
    expect(plugin.definePlugin).toBe(core.definePlugin);
    expect(plugin.MemoryCoordinator).toBe(core.MemoryCoordinator);
    expect(plugin.LocalCoordinator).toBe(core.LocalCoordinator);
    expect(plugin.isRetryLater).toBe(core.isRetryLater);
  });
});
