/**
 * `toYAML` / `toJSON`: any definition, however it was written, as a workflow
 * file that `parseWorkflow` reads back to an equal definition.
 */
import { Document, isPair, isScalar, isSeq, parseDocument, Scalar, visit } from "yaml";
import { normalizeWorkflow } from "../model/schema.js";
import type { WorkflowDefinition, WorkflowDefinitionInput } from "../types.js";
import { documentOf } from "./to-document.js";
import type { ExportOptions } from "./types.js";

/**
 * The definition as YAML, in the brief's style: snake_case keys, durations in
 * seconds, dependencies as `[a, b]`, defaults left out. Function handlers are
 * written as their reference, the task name: register them by that name
 * (`handlers({ extract })`) when loading the file. Throws
 * `FM_ERR_INVALID_DEFINITION` for an invalid definition.
 */
export function toYAML(
  definition: WorkflowDefinitionInput | WorkflowDefinition,
  options: ExportOptions = {},
): string {
  const doc = new Document(documentOf(normalizeWorkflow(definition), options.keys ?? "snake_case"));
  visit(doc, {
    Pair(_, pair) {
      const key = isPair(pair) && isScalar(pair.key) ? pair.key.value : undefined;
      if ((key === "depends_on" || key === "dependsOn" || key === "policies") && isSeq(pair.value)) {
        pair.value.flow = true;
      }
    },
    Scalar(key, node) {
      if (key !== "key" && typeof node.value === "string" && isNotAStringInYaml11(node.value)) {
        node.type = Scalar.QUOTE_DOUBLE;
      }
    },
  });
  if (options.schema !== undefined) doc.commentBefore = ` yaml-language-server: $schema=${options.schema}`;
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/**
 * The definition as JSON (camelCase keys by default, two-space indent), with a
 * `"$schema"` key when `options.schema` is given. Same rules as {@link toYAML}.
 */
export function toJSON(
  definition: WorkflowDefinitionInput | WorkflowDefinition,
  options: ExportOptions = {},
): string {
  const body = documentOf(normalizeWorkflow(definition), options.keys ?? "camelCase");
  const doc = options.schema === undefined ? body : { $schema: options.schema, ...body };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/**
 * Strings a YAML 1.1 reader would take for something else (`yes`, `off`,
 * `1_000`, `1:20`, `2025-01-31`): YAML 1.2 writes them bare, so quote them for
 * every other tool that reads the file.
 */
function isNotAStringInYaml11(value: string): boolean {
  // Every YAML 1.1 boolean, null, number and timestamp is short and made of these characters.
  if (!/^[-+\w.:~ ]{1,40}$/.test(value)) return false;
  const doc = parseDocument(value, { version: "1.1", logLevel: "silent" });
  if (doc.errors.length > 0) return false;
  try {
    return typeof doc.toJS({ maxAliasCount: 0 }) !== "string";
  } catch {
    return false;
  }
}
