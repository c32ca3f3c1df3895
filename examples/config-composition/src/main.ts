/**
 * Builds the engine from flowmesh.config.yaml in this folder, runs the invoice
 * report once and prints its summary. The plugins, the workflow and the engine
 * settings all come from the config. Exit code 0 when the run succeeded, 1 otherwise.
 */
import { fileURLToPath } from "node:url";
import { FlowMeshError, loadFlowMesh, type LoadedFlowMesh } from "@flowmesh/core";
import type { ReportInput } from "./invoice-tasks.js";

const root = fileURLToPath(new URL("..", import.meta.url));

async function main(): Promise<number> {
  let loaded: LoadedFlowMesh;
  try {
    loaded = await loadFlowMesh({ cwd: root });
  } catch (error) {
    // A config problem: the message names the file and the setting.
    if (!(error instanceof FlowMeshError)) throw error;
    console.error(error.message);
    return 1;
  }
  const { engine, config, workflows } = loaded;
  try {
    const plugins = config.plugins.map((plugin) => plugin.name).join(", ");
    const names = workflows.map((workflow) => workflow.plan.name).join(", ");
    console.log(`Loaded flowmesh.config.yaml: plugins ${plugins}; workflows ${names}`);
    const input: ReportInput = { month: "2025-01", today: "2025-01-25" };
    const run = await (await engine.start("invoice-report", input)).wait();
    if (run.status !== "succeeded") {
      console.log(`Run ${run.status}: ${run.error?.message ?? "no error recorded"}`);
      return 1;
    }
    console.log(`Summary: ${String(run.tasks.summary!.output)}`);
    return 0;
  } finally {
    // Drains the worker and runs plugin cleanups.
    await engine.close();
  }
}

process.exitCode = await main();
