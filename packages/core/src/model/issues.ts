/**
 * How definition problems are reported: a path users can read
 * (`tasks[1].depends_on[0]`), a message that says what was received, and one
 * `FlowMeshError` listing every issue. Shared by the schema and the planner so
 * every definition error reads the same.
 */
import type { z } from "zod";
import { FlowMeshError } from "../errors.js";
import type { FlowMeshErrorCode } from "../errors.js";

/** One problem found in a definition; `path` reads like `tasks[1].depends_on[0]`. */
export interface DefinitionIssue {
  path: string;
  message: string;
}

/**
 * Builds the error for a bad definition: `workflow "ETL": tasks[1].timeout: ...; tasks[2].name: ...`.
 * `details` carries `workflow` and `issues` (plus anything passed in, such as the cycles found).
 */
export function invalidDefinition(
  workflow: string | undefined,
  issues: readonly DefinitionIssue[],
  code: Extract<
    FlowMeshErrorCode,
    "FM_ERR_INVALID_DEFINITION" | "FM_ERR_CYCLE"
  > = "FM_ERR_INVALID_DEFINITION",
  details: Record<string, unknown> = {},
): FlowMeshError {
  const subject = workflow === undefined ? "workflow definition" : `workflow ${JSON.stringify(workflow)}`;
  const list = issues.map((issue) => (issue.path === "" ? issue.message : `${issue.path}: ${issue.message}`));
  return new FlowMeshError(code, `${subject}: ${list.join("; ")}`, {
    details: { ...details, workflow, issues: issues.map((issue) => ({ ...issue })) },
  });
}

/** Writes a path the way users read it: `tasks[1].depends_on[0]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "string" && /^[A-Za-z_$][\w$]*$/.test(key)) out += out === "" ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/** Flattens zod issues into path + message, one entry per unknown key, unions reduced to the branch that matched. */
export function collectIssues(
  issues: readonly z.core.$ZodIssue[],
  base: readonly PropertyKey[] = [],
): DefinitionIssue[] {
  const out: DefinitionIssue[] = [];
  for (const issue of issues) {
    const path = [...base, ...issue.path];
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) out.push({ path: formatPath([...path, key]), message: issue.message });
      continue;
    }
    if (issue.code === "invalid_union") {
      // A branch that got past its type check is the one the user meant (an object retry policy
      // with a bad field). Root-level `custom` issues are type checks too (`z.custom` for functions).
      const meant = issue.errors.filter(
        (branch) =>
          !branch.every((i) => i.path.length === 0 && (i.code === "invalid_type" || i.code === "custom")),
      );
      if (meant.length === 1) {
        out.push(...collectIssues(meant[0]!, path));
        continue;
      }
    }
    out.push({ path: formatPath(path), message: issue.message });
  }
  return out;
}

/** Messages that say what was received, for every issue a schema does not word itself. */
export function defaultMessage(iss: z.core.$ZodRawIssue): string | undefined {
  switch (iss.code) {
    case "invalid_type":
      return `expected ${withArticle(iss.expected)}, received ${describe(iss.input)}`;
    case "too_small":
      if (iss.origin === "string") return iss.minimum === 1 ? "expected a non-empty string" : undefined;
      if (iss.origin === "array") return `expected at least ${String(iss.minimum)} item(s)`;
      return `expected a number ${iss.inclusive ? ">=" : ">"} ${String(iss.minimum)}, received ${describe(iss.input)}`;
    case "too_big":
      if (iss.origin === "string") {
        const length = typeof iss.input === "string" ? iss.input.length : "?";
        return `expected at most ${String(iss.maximum)} characters, received ${length}`;
      }
      return `expected at most ${String(iss.maximum)}, received ${describe(iss.input)}`;
    default:
      return undefined;
  }
}

function withArticle(expected: string): string {
  if (expected === "int") return "an integer";
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** A short, readable rendering of a received value. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string")
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return typeof value === "object" ? "an object" : typeof value;
}
