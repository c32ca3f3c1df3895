/**
 * Loads `pipeline.yaml` (the brief's YAML, unchanged), registers it with the
 * TypeScript handlers, and runs it once on the in-memory backend.
 */
import { fileURLToPath } from "node:url";
import {
  createFlowMesh,
  handlers,
  registerWorkflowFile,
  type Logger,
  type RunEvent,
  type RunRecord,
  type WorkflowPlan,
} from "@flowmesh/core";
import { pipelineHandlers, type PipelineInput } from "./handlers.js";
import { EXISTING_CUSTOMERS, EXPORT_OBJECTS, FakeBucket, FakeWarehouse } from "./sources.js";

/** The workflow file, next to package.json (the same path from src/ and dist/). */
export const PIPELINE_FILE = fileURLToPath(new URL("../pipeline.yaml", import.meta.url));

/** What one run of the pipeline produced. */
export interface PipelineRun {
  plan: WorkflowPlan;
  run: RunRecord;
  events: RunEvent[];
}

/** Runs the pipeline once; the engine is closed when this resolves. */
export async function runPipeline(options: { logger?: Logger } = {}): Promise<PipelineRun> {
  const bucket = new FakeBucket("s3://acme-crm-exports", EXPORT_OBJECTS, { throttleFirstList: true });
  const warehouse = new FakeWarehouse(EXISTING_CUSTOMERS);
  const fm = createFlowMesh({
    plugins: [handlers(pipelineHandlers({ bucket, warehouse }))],
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  try {
    // Parses the file (errors would name pipeline.yaml:line:column) and resolves every task's handler now.
    const { plan } = await registerWorkflowFile(fm, PIPELINE_FILE);
    const input: PipelineInput = { prefix: "customers/2025-01-31/" };
    const handle = await fm.start(plan.name, input);
    const run = await handle.wait();
    return { plan, run, events: await fm.readEvents(run.id) };
  } finally {
    await fm.close();
  }
}
