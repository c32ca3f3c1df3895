/**
 * Runs the enterprise pipeline once on the custom JSON-file store, with the
 * custom metrics hook, and prints a summary. No servers needed. Exit code 0
 * when the run succeeded, 1 otherwise.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createFlowMesh, createLogger, type RunEvent, type RunRecord } from "@flowmesh/core";
import { JsonFileStore } from "./json-file-store.js";
import { metrics } from "./metrics-hook.js";
import { etlPipeline, type PipelineInput } from "./pipeline.js";
import { formatSummary } from "./summary.js";

// .flowmesh-data/ next to package.json (gitignored), unless FLOWMESH_DATA_DIR says otherwise.
const storeDir =
  process.env.FLOWMESH_DATA_DIR ?? fileURLToPath(new URL("../.flowmesh-data/", import.meta.url));

const store = new JsonFileStore(storeDir);
const metricsPlugin = metrics();
const fm = createFlowMesh({
  backend: store,
  plugins: [metricsPlugin],
  // Only warnings and errors: the summary below is the readable output.
  logger: createLogger({ level: "warn" }),
});

let finished: RunRecord;
let events: RunEvent[];
try {
  await fm.register(etlPipeline);
  const input: PipelineInput = { batch: new Date().toISOString().slice(0, 10) };
  const handle = await fm.start("enterprise-etl", input);
  finished = await handle.wait();
  events = await fm.readEvents(finished.id);
} finally {
  // Closing drains the worker: every afterTask hook has run and every save is on disk.
  await fm.close();
}

// Read back from the store what the engine saved: the record the next process would resume from.
const run = (await store.get(finished.id)) ?? finished;
const summary = formatSummary({
  run,
  events,
  durations: metricsPlugin.durations,
  storeDir,
  storedRuns: (await store.list()).length,
  runFile: join(storeDir, `${run.id}.json`),
});
console.log(summary);
process.exitCode = run.status === "succeeded" ? 0 : 1;
