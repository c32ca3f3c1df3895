/**
 * Trains, evaluates and deploys a model with the decorator-style pipeline,
 * and prints what ran in which order and what each task passed on. Exit
 * code 0 when the run succeeded, 1 otherwise.
 */
import { createFlowMesh, createLogger, workflowOf } from "@flowmesh/core";
import { DEFAULT_INPUT, TrainingPipeline } from "./pipeline.js";
import { formatSummary } from "./summary.js";

const pipeline = new TrainingPipeline();
const definition = workflowOf(pipeline);
// One task at a time, so the order in which ready tasks start shows their priorities.
const fm = createFlowMesh({ concurrency: 1, logger: createLogger({ level: "warn" }) });

try {
  await fm.register(definition);
  const run = await (await fm.start(definition.name, DEFAULT_INPUT)).wait();
  console.log(formatSummary({ definition, run, events: await fm.readEvents(run.id) }));
  console.log(`\nModel registry: ${pipeline.registry.versions.length} version(s) deployed`);
  process.exitCode = run.status === "succeeded" ? 0 : 1;
} finally {
  await fm.close();
}
