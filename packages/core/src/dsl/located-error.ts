/**
 * Errors about a workflow file read like compiler output, one line per
 * problem: `pipeline.yaml:7:5 tasks[1].depends_on[0]: unknown task "extract"`.
 */
import { FlowMeshError, type FlowMeshErrorCode } from "../errors.js";
import type { LocatedIssue } from "./types.js";

/** Issues listed in the message; `details.issues` always holds all of them. */
const MAX_LISTED = 20;

/** What a located error is about, beyond its issues. */
export interface LocatedErrorOptions {
  workflow?: string | undefined;
  cause?: unknown;
  /** Extra details (the cycles found, the unresolved handlers). */
  details?: Record<string, unknown>;
}

/**
 * One error listing every issue in source order. `details` holds `file`,
 * `line`, `column` and `path` of the first issue, and `issues` with each one's.
 */
export function locatedError(
  code: FlowMeshErrorCode,
  file: string | undefined,
  issues: readonly LocatedIssue[],
  options: LocatedErrorOptions = {},
): FlowMeshError {
  const sorted = [...issues].sort((a, b) => a.line - b.line || a.column - b.column);
  const first = sorted[0];
  const lines = sorted.slice(0, MAX_LISTED).map((issue) => formatIssue(file, issue));
  if (sorted.length > MAX_LISTED) lines.push(`... and ${sorted.length - MAX_LISTED} more`);
  return new FlowMeshError(code, lines.join("\n"), {
    cause: options.cause,
    details: {
      ...options.details,
      file,
      line: first?.line,
      column: first?.column,
      path: first?.path,
      workflow: options.workflow,
      issues: sorted.map((issue) => ({ ...issue })),
    },
  });
}

/** `file:line:column path: message`; the whole document's issues have no path. */
export function formatIssue(file: string | undefined, issue: LocatedIssue): string {
  const where = `${fileLabel(file)}:${issue.line}:${issue.column}`;
  return issue.path === "" ? `${where}: ${issue.message}` : `${where} ${issue.path}: ${issue.message}`;
}

/** How a text without a file is named in messages. */
export function fileLabel(file: string | undefined): string {
  return file ?? "<input>";
}

const SEGMENT = /([A-Za-z_$][\w$]*)|\.([A-Za-z_$][\w$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;

/**
 * Reads a path written by `formatPath` (`tasks[1].depends_on[0]`,
 * `tasks[0]["my key"]`) back into its keys and indices.
 */
export function parsePath(path: string): PropertyKey[] {
  const keys: PropertyKey[] = [];
  SEGMENT.lastIndex = 0;
  while (SEGMENT.lastIndex < path.length) {
    const match = SEGMENT.exec(path);
    // A path this module did not write: keep what was read, the position falls back to the closest parent.
    if (match === null) break;
    if (match[3] !== undefined) keys.push(Number(match[3]));
    else if (match[4] !== undefined) keys.push(JSON.parse(match[4]) as string);
    else keys.push((match[1] ?? match[2])!);
  }
  return keys;
}
