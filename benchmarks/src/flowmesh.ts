/**
 * The system under test: the shape registered as a FlowMesh workflow and run
 * through the public engine API, with logging silenced so the figures measure
 * the engine and not stdout. Each task gets its dependencies' outputs through
 * `ctx.deps`, the same data passing the floor does.
 */
import { createFlowMesh, createLogger } from "@flowmesh/core";
import type { Runner } from "./measure.js";
import type { Shape } from "./shape.js";

const WORKFLOW = "bench";

/**
 * High enough that the concurrency limit never throttles the benchmark: the
 * widest moment (10,000 concurrent runs × 5 ready tasks) is the engine's
 * queueing, not an artificial cap.
 */
const CONCURRENCY = 10_000;

/** A fresh engine with the shape registered; `close()` shuts the engine down. */
export async function createFlowMeshRunner(shape: Shape): Promise<Runner> {
  const fm = createFlowMesh({ logger: createLogger({ level: "silent" }), concurrency: CONCURRENCY });
  await fm.register({
    name: WORKFLOW,
    tasks: shape.tasks.map((task) => ({
      name: task.name,
      handler: async () => 1,
      dependsOn: [...task.dependsOn],
    })),
  });
  const input = { n: 1 };
  return {
    runOnce: async () => {
      const handle = await fm.start(WORKFLOW, input);
      return handle.result();
    },
    close: () => fm.close(),
  };
}
