/**
 * listRuns through the sorted-set indexes (never a scan of all runs): the
 * smallest index the filter allows drives the walk, newest first, and the
 * remaining conditions are checked on each candidate's hash in pipelined reads.
 */
import { FlowMeshError, type RunFilter, type RunPage, type RunRecord } from "@flowmesh/core";
import type { Cluster, Redis } from "ioredis";
import { decodeRun } from "./codec.js";
import type { KeyLayout } from "./keys.js";

interface Cursor {
  createdAt: number;
  id: string;
}

interface Match {
  id: string;
  createdAt: number;
}

/** What the walk needs from the filter. */
interface Walk {
  max: string;
  min: string;
  cursor: Cursor | undefined;
  /** Matches wanted from each index: one more than the page, to know if there is a next one. */
  wanted: number;
  workflow: string | undefined;
  statuses: Set<string> | undefined;
  namespaces: Set<string> | undefined;
}

export async function listRuns(
  client: Redis | Cluster,
  keys: KeyLayout,
  filter: RunFilter,
): Promise<RunPage> {
  const limit = filter.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new FlowMeshError(
      "FM_ERR_INVALID_OPTIONS",
      `listRuns: limit must be an integer from 1 to 1000, received ${String(limit)}`,
      { details: { path: "limit" } },
    );
  }
  const cursor = filter.cursor === undefined ? undefined : decodeCursor(filter.cursor);
  let max = filter.createdBefore === undefined ? "+inf" : `(${filter.createdBefore}`;
  if (
    cursor !== undefined &&
    (filter.createdBefore === undefined || cursor.createdAt < filter.createdBefore)
  ) {
    max = String(cursor.createdAt);
  }
  const walk: Walk = {
    max,
    min: filter.createdAfter === undefined ? "-inf" : String(filter.createdAfter),
    cursor,
    wanted: limit + 1,
    workflow: filter.workflow,
    statuses: filter.status === undefined ? undefined : new Set<string>([filter.status].flat()),
    namespaces: filter.namespace === undefined ? undefined : new Set<string>([filter.namespace].flat()),
  };
  const drivers = await pickIndexes(client, keys, walk);
  // Each index is walked newest first; their matches merge into one newest-first list.
  const matches = (await Promise.all(drivers.map((key) => walkIndex(client, keys, key, walk))))
    .flat()
    .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  const page = matches.slice(0, limit);
  const pipeline = client.pipeline();
  for (const { id } of page) pipeline.hgetall(keys.run(id));
  const hashes = (await pipeline.exec()) ?? [];
  const runs: RunRecord[] = [];
  page.forEach(({ id }, i) => {
    const run = decodeRun(id, (hashes[i]?.[1] ?? {}) as Record<string, string>);
    if (run !== undefined) runs.push(run);
  });
  const result: RunPage = { runs };
  const last = page[page.length - 1];
  if (matches.length > limit && last !== undefined) result.nextCursor = encodeCursor(last);
  return result;
}

/**
 * The indexes to walk: of the dimensions the filter names (workflow, status
 * values, namespace values), the one whose indexes hold the fewest runs.
 */
async function pickIndexes(client: Redis | Cluster, keys: KeyLayout, walk: Walk): Promise<string[]> {
  const options: string[][] = [];
  if (walk.workflow !== undefined) options.push([keys.index("wf", walk.workflow)]);
  if (walk.statuses !== undefined) {
    // pending and running share one index; each candidate's status is checked on its hash.
    options.push([...new Set([...walk.statuses].map((s) => keys.statusIndex(s)))]);
  }
  if (walk.namespaces !== undefined) options.push([...walk.namespaces].map((n) => keys.index("ns", n)));
  if (options.length === 0) return [keys.index("all")];
  if (options.length === 1) return options[0]!;
  const pipeline = client.pipeline();
  for (const key of options.flat()) pipeline.zcard(key);
  const sizes = ((await pipeline.exec()) ?? []).map(([, size]) => Number(size));
  let at = 0;
  const totals = options.map((group) => {
    let total = 0;
    for (let i = 0; i < group.length; i++) total += sizes[at++]!;
    return total;
  });
  let best = 0;
  for (let i = 1; i < options.length; i++) if (totals[i]! < totals[best]!) best = i;
  return options[best]!;
}

/** Walks one index newest first until `wanted` runs matched every condition or it ends. */
async function walkIndex(
  client: Redis | Cluster,
  keys: KeyLayout,
  key: string,
  walk: Walk,
): Promise<Match[]> {
  const batch = Math.min(1000, walk.wanted * 2 + 10);
  const matches: Match[] = [];
  for (let offset = 0; matches.length < walk.wanted; offset += batch) {
    const flat = await client.zrevrangebyscore(key, walk.max, walk.min, "WITHSCORES", "LIMIT", offset, batch);
    if (flat.length === 0) break;
    const candidates: Match[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const id = flat[i]!;
      const createdAt = Number(flat[i + 1]);
      // Same creation time as the cursor: only ids after it (ids descend within one time).
      if (walk.cursor !== undefined && createdAt === walk.cursor.createdAt && id >= walk.cursor.id) continue;
      candidates.push({ id, createdAt });
    }
    matches.push(...(await keepMatching(client, keys, candidates, walk)));
    if (flat.length < batch * 2) break;
  }
  return matches.slice(0, walk.wanted);
}

/** Keeps the candidates whose workflow, status and namespace match (read in one pipeline). */
async function keepMatching(
  client: Redis | Cluster,
  keys: KeyLayout,
  candidates: Match[],
  walk: Walk,
): Promise<Match[]> {
  if (candidates.length === 0) return candidates;
  const pipeline = client.pipeline();
  for (const { id } of candidates) pipeline.hmget(keys.run(id), "wf", "st", "ns");
  const rows = (await pipeline.exec()) ?? [];
  return candidates.filter((_, i) => {
    const [wf, st, ns] = (rows[i]?.[1] ?? []) as (string | null)[];
    if (wf === null || wf === undefined) return false;
    if (walk.workflow !== undefined && wf !== walk.workflow) return false;
    if (walk.statuses !== undefined && !walk.statuses.has(st ?? "")) return false;
    if (walk.namespaces !== undefined && !walk.namespaces.has(ns ?? "default")) return false;
    return true;
  });
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString("base64url");
}

function decodeCursor(cursor: string): Cursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(parsed) && typeof parsed[0] === "number" && typeof parsed[1] === "string") {
      return { createdAt: parsed[0], id: parsed[1] };
    }
  } catch {
    // reported below
  }
  throw new FlowMeshError(
    "FM_ERR_INVALID_OPTIONS",
    `listRuns: cursor ${JSON.stringify(cursor)} is not a cursor this backend issued`,
    { details: { path: "cursor" } },
  );
}
