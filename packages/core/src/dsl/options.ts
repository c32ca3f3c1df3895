/** Validates the DSL's parse options and fills in their defaults. */
import { extname } from "node:path";
import { z } from "zod";
import { FlowMeshError } from "../errors.js";
import { collectIssues, defaultMessage } from "../model/issues.js";
import type { ReadOptions } from "./read-source.js";
import type { ParseWorkflowOptions, WorkflowFormat } from "./types.js";

/** 1 MiB: far more than any hand-written workflow, little enough to parse in milliseconds. */
export const DEFAULT_MAX_BYTES = 1024 * 1024;
/** yaml's own default: enough for reuse through anchors, far too few for an alias bomb. */
export const DEFAULT_MAX_ALIAS_COUNT = 100;

const optionsSchema = z.strictObject({
  format: z.enum(["yaml", "json"]).optional(),
  source: z.string().min(1).optional(),
  maxBytes: z.int().positive().optional(),
  maxAliasCount: z.int().min(0).optional(),
});

/** Parse options, validated, with the format known. */
export interface ResolvedParseOptions extends ReadOptions {
  source: string | undefined;
}

/**
 * Validates `options` (throwing `FM_ERR_INVALID_OPTIONS` naming the caller and
 * option) and resolves the format: given, else from the source's extension,
 * else YAML, unless `requireFormat` says a file must say what it is.
 */
export function resolveParseOptions(
  options: ParseWorkflowOptions,
  caller: string,
  requireFormat = false,
): ResolvedParseOptions {
  const parsed = optionsSchema.safeParse(options, { error: defaultMessage });
  if (!parsed.success) {
    const issues = collectIssues(parsed.error.issues);
    throw new FlowMeshError(
      "FM_ERR_INVALID_OPTIONS",
      `${caller}: ${issues.map((i) => `option "${i.path || "(root)"}": ${i.message}`).join("; ")}`,
      { details: { issues } },
    );
  }
  const { source } = parsed.data;
  const format = parsed.data.format ?? formatOf(source);
  if (format === undefined && requireFormat) {
    throw new FlowMeshError(
      "FM_ERR_INVALID_OPTIONS",
      `${caller}: cannot tell the format of ${JSON.stringify(source)} from its extension: name it .yaml, .yml or .json, or pass { format }`,
      { details: { file: source } },
    );
  }
  return {
    format: format ?? "yaml",
    source,
    file: source,
    maxBytes: parsed.data.maxBytes ?? DEFAULT_MAX_BYTES,
    maxAliasCount: parsed.data.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT,
  };
}

/** The format a file name says, if it says one. */
export function formatOf(file: string | undefined): WorkflowFormat | undefined {
  const ext = file === undefined ? "" : extname(file).toLowerCase();
  if (ext === ".json") return "json";
  if (ext === ".yaml" || ext === ".yml") return "yaml";
  return undefined;
}
