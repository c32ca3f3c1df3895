/** Engines that always close, with a silent logger. */
import { createFlowMesh, createLogger, type FlowMesh, type FlowMeshOptions } from "@flowmesh/core";
import { afterEach } from "vitest";

export function useEngines(): (options?: FlowMeshOptions) => FlowMesh {
  const engines: FlowMesh[] = [];
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((engine) => engine.close()));
  });
  return (options = {}) => {
    const engine = createFlowMesh({
      logger: createLogger({ level: "silent" }),
      drainTimeout: "2s",
      ...options,
    });
    engines.push(engine);
    return engine;
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
