import { createHash } from "node:crypto";
import { FlowMeshError } from "../errors.js";

/**
 * SHA-256 of the workflow name and the caller's input as canonical JSON (object
 * keys sorted), so `{ a, b }` and `{ b, a }` are the same request.
 */
export function fingerprint(workflow: string, input: unknown): string {
  let json: string;
  try {
    json = JSON.stringify(input, sortKeys) ?? "undefined";
  } catch (error) {
    throw new FlowMeshError(
      "FM_ERR_INVALID_OPTIONS",
      "start: an input used with an idempotency key must be JSON-serializable",
      {
        cause: error,
        details: { path: "input" },
      },
    );
  }
  return createHash("sha256").update(workflow).update("\0").update(json).digest("base64url");
}

function sortKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = (value as Record<string, unknown>)[key];
  return sorted;
}
