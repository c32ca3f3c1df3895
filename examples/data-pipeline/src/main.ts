/**
 * Runs the brief's Customer Data Pipeline once: `pipeline.yaml` as the brief
 * wrote it, handlers in TypeScript, the in-memory backend. Prints a summary;
 * exit code 0 when the run succeeded, 1 otherwise.
 */
import { createLogger } from "@flowmesh/core";
import { runPipeline } from "./pipeline.js";
import { formatSummary } from "./summary.js";

// Only warnings and errors: the summary is the readable output.
const result = await runPipeline({ logger: createLogger({ level: "warn" }) });
console.log(formatSummary(result));
process.exitCode = result.run.status === "succeeded" ? 0 : 1;
