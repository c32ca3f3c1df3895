/** Turns zod validation failures into `FM_ERR_INVALID_REQUEST` listing each bad field's path. */
import { FlowMeshError } from "@flowmesh/core";
import type { z } from "@hono/zod-openapi";

/** Where a validated value came from. */
export type RequestPart = "json" | "form" | "query" | "param" | "header" | "cookie";

const PART_NAMES: Record<RequestPart, string> = {
  json: "body",
  form: "body",
  query: "query",
  param: "path",
  header: "header",
  cookie: "cookie",
};

/** One bad field: `path` reads like core's definition paths (`input.items[0]`), empty for the whole part. */
export interface RequestIssue {
  path: string;
  in: string;
  message: string;
}

/** The error for a failed request schema (422, `details.issues`). */
export function invalidRequest(error: z.ZodError, part: RequestPart): FlowMeshError {
  const where = PART_NAMES[part];
  const issues: RequestIssue[] = error.issues.flatMap((issue) => {
    // Unknown keys are one issue listing several keys: report each at its own path.
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        path: formatPath([...issue.path, key]),
        in: where,
        message: "unknown field",
      }));
    }
    return [{ path: formatPath(issue.path), in: where, message: issue.message }];
  });
  const summary = issues
    .slice(0, 5)
    .map((issue) => `${issue.in}${issue.path === "" ? "" : ` ${issue.path}`}: ${issue.message}`)
    .join("; ");
  return new FlowMeshError("FM_ERR_INVALID_REQUEST", `invalid request: ${summary}`, { details: { issues } });
}

/** `["input", "items", 0]` → `input.items[0]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "string" && /^[A-Za-z_$][\w$-]*$/.test(key)) out += out === "" ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}
