/**
 * Safe YAML/JSON parsing for config files (JSON is YAML): no
 * custom tags, aliases capped so an alias bomb is refused fast, duplicate keys
 * rejected. Errors carry `file:line:column`.
 */
import { FlowMeshError, type FlowMeshErrorCode } from "../errors.js";

const MAX_ALIASES = 100;

/** The parsed value (`undefined` for an empty document). */
export async function parseData(text: string, label: string, code: FlowMeshErrorCode): Promise<unknown> {
  const { LineCounter, parseDocument } = await import("yaml");
  const lines = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, lineCounter: lines });
  // Warnings include unresolved tags: a custom tag is refused, not read as a string.
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem !== undefined) {
    const at = lines.linePos(problem.pos[0]);
    const where = `${label}:${at.line}:${at.col}`;
    throw new FlowMeshError(code, `${where}: ${problem.message}`, {
      details: { file: label, line: at.line, column: at.col },
    });
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIASES }) as unknown;
  } catch (error) {
    // toJS refuses excessive alias expansion.
    throw new FlowMeshError(code, `${label}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
      details: { file: label },
    });
  }
}
