/**
 * Reading the workflow files a config lists, through the one interface config
 * depends on: the DSL's `parseWorkflowFile` (safe YAML/JSON, errors with
 * `file:line:column`), given a path readable from the process's folder so its
 * messages show the path users typed.
 */
import { parseWorkflowFile } from "../dsl/parse-workflow.js";
import type { WorkflowDefinitionInput } from "../types.js";
import { displayPath } from "./config-source.js";

/** Reads one workflow file (absolute path) into a definition; errors name the file. */
export type WorkflowFileReader = (file: string) => Promise<WorkflowDefinitionInput>;

/** Extensions a glob picks up; a path given explicitly must have one too. */
export const WORKFLOW_EXTENSIONS: readonly string[] = [".yaml", ".yml", ".json"];

/** The DSL's reader. */
export const readWorkflowFile: WorkflowFileReader = (file) =>
  parseWorkflowFile(displayPath(file, process.cwd()));
