/** `registerWorkflowFile(fm, path)`: parse a workflow file and register it, errors placed in the file. */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { FlowMesh } from "../engine/engine.js";
import type { RegisteredWorkflow } from "../engine/registry.js";
import { parseWorkflowFile } from "./parse-workflow.js";
import { parsedSource } from "./parsed-sources.js";
import { relocateTaskError } from "./relocate.js";
import type { ParseWorkflowOptions } from "./types.js";

/**
 * Parses the file and registers it with its path as `source`, so relative
 * module references resolve against it. A task whose handler cannot be
 * resolved fails here, named with its place in the file
 * (`pipeline.yaml:3:11 tasks[0].name: no handler found for task "extract_s3" ...`).
 */
export async function registerWorkflowFile(
  fm: Pick<FlowMesh, "register">,
  path: string | URL,
  options: Omit<ParseWorkflowOptions, "source"> = {},
): Promise<RegisteredWorkflow> {
  const file = typeof path === "string" ? path : fileURLToPath(path);
  const definition = await parseWorkflowFile(file, options);
  try {
    return await fm.register(definition, { source: resolve(file) });
  } catch (error) {
    const parsed = parsedSource(definition);
    throw parsed === undefined ? error : relocateTaskError(error, parsed);
  }
}
