/** `listRuns` as one indexed query: filters, newest first, keyset pages on (created_at, id). */
import { FlowMeshError, type RunFilter, type RunStatus } from "@flowmesh/core";
import type { Statement } from "./queries.js";

const STATUSES = new Set<RunStatus>(["pending", "running", "succeeded", "failed", "cancelled", "timed_out"]);

export interface ListQuery extends Statement {
  values: unknown[];
  limit: number;
}

/** Builds the query for a filter. The statement name depends only on the filter's shape. */
export function listRunsQuery(S: string, tag: string, filter: RunFilter): ListQuery {
  const limit = filter.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new FlowMeshError(
      "FM_ERR_INVALID_OPTIONS",
      `listRuns: limit must be an integer from 1 to 1000, received ${String(limit)}`,
      { details: { path: "limit" } },
    );
  }
  const where: string[] = [];
  const values: unknown[] = [];
  const shape: string[] = [];
  const add = (key: string, sql: (p: string) => string, value: unknown): void => {
    values.push(value);
    where.push(sql(`$${values.length}`));
    shape.push(key);
  };
  if (filter.workflow !== undefined) add("w", (p) => `r.workflow = ${p}`, filter.workflow);
  if (filter.namespace !== undefined) {
    const namespaces: readonly string[] =
      typeof filter.namespace === "string" ? [filter.namespace] : filter.namespace;
    if (namespaces.length === 1) add("n", (p) => `r.namespace = ${p}`, namespaces[0]);
    else add("N", (p) => `r.namespace = ANY(${p}::text[])`, namespaces);
  }
  if (filter.status !== undefined) {
    const statuses = [filter.status].flat();
    for (const status of statuses) {
      if (!STATUSES.has(status)) {
        throw new FlowMeshError(
          "FM_ERR_INVALID_OPTIONS",
          `listRuns: unknown status ${JSON.stringify(status)}`,
          {
            details: { path: "status" },
          },
        );
      }
    }
    // The index keys on phase (see the runs table): the phase test finds the rows, the status test keeps the right ones.
    const phases = [...new Set(statuses.map(phaseOf))];
    if (phases.length === 1) add("p", (p) => `r.phase = ${p}`, phases[0]);
    else add("P", (p) => `r.phase = ANY(${p}::text[])`, phases);
    if (statuses.length === 1) add("s", (p) => `r.status = ${p}`, statuses[0]);
    else add("S", (p) => `r.status = ANY(${p}::text[])`, statuses);
  }
  if (filter.createdAfter !== undefined) {
    add(
      "a",
      (p) => `r.created_at >= 'epoch'::timestamptz + ${p}::float8 * interval '1 millisecond'`,
      filter.createdAfter,
    );
  }
  if (filter.createdBefore !== undefined) {
    add(
      "b",
      (p) => `r.created_at < 'epoch'::timestamptz + ${p}::float8 * interval '1 millisecond'`,
      filter.createdBefore,
    );
  }
  if (filter.cursor !== undefined) {
    const [micros, id] = decodeCursor(filter.cursor);
    values.push(micros, id);
    const m = `$${values.length - 1}`;
    const i = `$${values.length}`;
    where.push(
      `(r.created_at, r.id) < ('epoch'::timestamptz + ${m}::bigint * interval '1 microsecond', ${i}::uuid)`,
    );
    shape.push("c");
  }
  values.push(limit + 1);
  const text = `SELECT ${S}.run_json(r, true) AS r,
      (extract(epoch FROM r.created_at) * 1000000)::bigint::text AS k
    FROM ${S}.runs r
    ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
    ORDER BY r.created_at DESC, r.id DESC
    LIMIT $${values.length}`;
  return { name: `fm_${tag}_list_${shape.join("") || "all"}`, text, values, limit };
}

/** The runs table's phase column for a status: 'active' for pending and running, else the status itself. */
function phaseOf(status: RunStatus): string {
  return status === "pending" || status === "running" ? "active" : status;
}

export function encodeCursor(micros: string, id: string): string {
  return Buffer.from(JSON.stringify([micros, id])).toString("base64url");
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function decodeCursor(cursor: string): [string, string] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (
      Array.isArray(parsed) &&
      typeof parsed[0] === "string" &&
      /^\d{1,20}$/.test(parsed[0]) &&
      typeof parsed[1] === "string" &&
      UUID.test(parsed[1])
    ) {
      return [parsed[0], parsed[1]];
    }
  } catch {
    // fall through to the error below
  }
  throw new FlowMeshError(
    "FM_ERR_INVALID_OPTIONS",
    `listRuns: cursor ${JSON.stringify(cursor)} is not a cursor this backend issued`,
    { details: { path: "cursor" } },
  );
}
