/**
 * The YAML/JSON DSL's entry points: `parseWorkflow(text)` and
 * `parseWorkflowFile(path)` read a workflow file, validate and plan it with
 * the same schema and planner as every other authoring style, and return a
 * definition whose problems, if any, were reported with file, line and column.
 */
import { stat, readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { FlowMeshError } from "../errors.js";
import { planWorkflow } from "../model/plan.js";
import type { WorkflowDefinitionInput } from "../types.js";
import { locatedError } from "./located-error.js";
import { resolveParseOptions, type ResolvedParseOptions } from "./options.js";
import { rememberSource, type ParsedSource } from "./parsed-sources.js";
import { readSource, tooLarge, type SourceDocument } from "./read-source.js";
import { relocateDefinitionError } from "./relocate.js";
import { inputOf } from "./to-document.js";
import type { ParseWorkflowOptions } from "./types.js";

/**
 * Parses a YAML or JSON workflow definition. Keys may be snake_case (the
 * brief's `depends_on`, `retry_count`) or camelCase; a number is seconds
 * (`timeout: 3600` is an hour). Returns the definition with every handler
 * as a string reference (a task without `handler` refers to its own name),
 * ready for `register()`. Throws `FM_ERR_INVALID_DEFINITION` (or
 * `FM_ERR_CYCLE`) listing every problem as `file:line:column path: message`.
 */
export function parseWorkflow(text: string, options: ParseWorkflowOptions = {}): WorkflowDefinitionInput {
  if (typeof text !== "string") {
    throw new FlowMeshError(
      "FM_ERR_INVALID_OPTIONS",
      `parseWorkflow: expected the text as a string, received ${typeof text}`,
    );
  }
  return parseText(text, resolveParseOptions(options, "parseWorkflow"));
}

/**
 * Reads and parses a workflow file; `.yaml`/`.yml` are YAML, `.json` JSON
 * (or pass `format`). The file's size is checked before it is read. Relative
 * module references resolve against the file: register the result with
 * `register(definition, { source: path })`, or use `registerWorkflowFile`.
 */
export async function parseWorkflowFile(
  path: string | URL,
  options: Omit<ParseWorkflowOptions, "source"> = {},
): Promise<WorkflowDefinitionInput> {
  const file = typeof path === "string" ? path : fileURLToPath(path);
  const resolved = resolveParseOptions({ ...options, source: file }, "parseWorkflowFile", true);
  return parseText(await readText(file, resolved), resolved);
}

// ---------------------------------------------------------------- private helpers

function parseText(text: string, options: ResolvedParseOptions): WorkflowDefinitionInput {
  const doc = readSource(text, options);
  const parsed: ParsedSource = {
    file: options.file,
    source: options.source === undefined ? undefined : absolute(options.source),
    map: doc.map,
    raw: withoutSchemaKey(doc),
  };
  let definition;
  try {
    definition = planWorkflow(parsed.raw as WorkflowDefinitionInput).definition;
  } catch (error) {
    throw relocateDefinitionError(error, parsed);
  }
  const input = inputOf(definition);
  rememberSource(input, parsed);
  return input;
}

/**
 * The document's value without a top-level `"$schema"` (how JSON files name
 * their JSON Schema for editors); an empty document is an error of its own.
 */
function withoutSchemaKey(doc: SourceDocument): unknown {
  if (!doc.hasContent) {
    throw locatedError("FM_ERR_INVALID_DEFINITION", doc.file, [
      {
        path: "",
        line: 1,
        column: 1,
        message: "the document is empty: expected a workflow with a name and tasks",
      },
    ]);
  }
  const value = doc.value;
  if (typeof value !== "object" || value === null || Array.isArray(value) || !("$schema" in value))
    return value;
  const { $schema: schema, ...rest } = value as Record<string, unknown>;
  if (typeof schema !== "string") {
    throw locatedError("FM_ERR_INVALID_DEFINITION", doc.file, [
      {
        path: "$schema",
        ...doc.map.locate(["$schema"]),
        message: "expected the JSON Schema's URL or path as a string",
      },
    ]);
  }
  return rest;
}

async function readText(file: string, options: ResolvedParseOptions): Promise<string> {
  let bytes: Buffer;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw Object.assign(new Error("not a regular file"), { code: "ENOTFILE" });
    if (info.size > options.maxBytes) throw tooLarge(file, info.size, options.maxBytes);
    bytes = await readFile(file);
  } catch (error) {
    if (error instanceof FlowMeshError) throw error;
    const code = (error as { code?: unknown }).code;
    const reason =
      code === "ENOENT" ? "no such file" : error instanceof Error ? error.message : String(error);
    throw new FlowMeshError(
      "FM_ERR_INVALID_OPTIONS",
      `parseWorkflowFile: cannot read ${JSON.stringify(file)}: ${reason}`,
      {
        cause: error,
        details: { file },
      },
    );
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (error) {
    throw new FlowMeshError("FM_ERR_INVALID_DEFINITION", `${file}: not UTF-8 text`, {
      cause: error,
      details: { file },
    });
  }
}

function absolute(source: string): string {
  return source.startsWith("file:") ? fileURLToPath(source) : resolve(source);
}
