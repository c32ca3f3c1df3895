/** Listing runs in process: filter, newest first, cursor pages. Shared by the in-process backends. */
import { FlowMeshError } from "../errors.js";
import type { RunFilter, RunPage, RunRecord, RunStatus } from "../types.js";

/** Filters, sorts newest first and pages runs; shared by the stores that list in process. */
export function pageRuns<T>(
  items: Iterable<T>,
  filter: RunFilter,
  view: (item: T) => {
    id: string;
    workflow: string;
    namespace: string;
    status: RunStatus;
    createdAt: number;
  },
  toRecord: (item: T) => RunRecord,
): RunPage {
  const statuses = filter.status === undefined ? undefined : new Set([filter.status].flat());
  const namespaces = filter.namespace === undefined ? undefined : new Set<string>([filter.namespace].flat());
  const cursor = filter.cursor === undefined ? undefined : decodeCursor(filter.cursor);
  const matches: T[] = [];
  for (const item of items) {
    const run = view(item);
    if (filter.workflow !== undefined && run.workflow !== filter.workflow) continue;
    if (statuses !== undefined && !statuses.has(run.status)) continue;
    if (namespaces !== undefined && !namespaces.has(run.namespace)) continue;
    if (filter.createdAfter !== undefined && run.createdAt < filter.createdAfter) continue;
    if (filter.createdBefore !== undefined && run.createdAt >= filter.createdBefore) continue;
    if (cursor !== undefined && !isAfterCursor(run, cursor)) continue;
    matches.push(item);
  }
  matches.sort((a, b) => compareNewestFirst(view(a), view(b)));
  const limit = filter.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new FlowMeshError(
      "FM_ERR_INVALID_OPTIONS",
      `listRuns: limit must be an integer from 1 to 1000, received ${String(limit)}`,
      {
        details: { path: "limit" },
      },
    );
  }
  const page = matches.slice(0, limit);
  const last = page.length === limit && matches.length > limit ? view(page[page.length - 1]!) : undefined;
  const result: RunPage = { runs: page.map(toRecord) };
  if (last !== undefined) result.nextCursor = encodeCursor(last);
  return result;
}

function compareNewestFirst(
  a: { id: string; createdAt: number },
  b: { id: string; createdAt: number },
): number {
  return b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

function isAfterCursor(
  run: { id: string; createdAt: number },
  cursor: { id: string; createdAt: number },
): boolean {
  return compareNewestFirst(cursor, run) < 0;
}

function encodeCursor(run: { id: string; createdAt: number }): string {
  return Buffer.from(JSON.stringify([run.createdAt, run.id])).toString("base64url");
}

function decodeCursor(cursor: string): { id: string; createdAt: number } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(parsed) && typeof parsed[0] === "number" && typeof parsed[1] === "string") {
      return { createdAt: parsed[0], id: parsed[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw new FlowMeshError(
    "FM_ERR_INVALID_OPTIONS",
    `listRuns: cursor ${JSON.stringify(cursor)} is not a cursor this backend issued`,
    {
      details: { path: "cursor" },
    },
  );
}
