/**
 * Between Redis and core's types: the per-graph hash fields written when a
 * run is created, and the decoding of a run hash (stream entries: events.ts).
 */
import type { RunGraph, RunResult, RunSummary } from "@flowmesh/core/plugin";
import { FlowMeshError, type RunRecord, type TaskRecord } from "@flowmesh/core";

/** The fields every run of a graph starts with (run-templates.ts keeps them per graph object). */
export interface EncodedGraph {
  /** Field/value pairs: `tn`, `rem`, and per task `n p s w dp dn`. */
  readonly fields: readonly string[];
  /** Root task index/priority pairs. */
  readonly roots: readonly string[];
}

export function encodeGraph(graph: RunGraph): EncodedGraph {
  const index = new Map<string, number>();
  graph.tasks.forEach((task, i) => index.set(task.name, i));
  const dependents: number[][] = graph.tasks.map(() => []);
  const fields: string[] = ["tn", String(graph.tasks.length), "rem", String(graph.tasks.length)];
  const roots: string[] = [];
  graph.tasks.forEach((task, i) => {
    const deps = task.dependsOn.map((name) => {
      const d = index.get(name);
      if (d === undefined) {
        throw new FlowMeshError(
          "FM_ERR_INVALID_DEFINITION",
          `run graph: task "${task.name}" depends on unknown task "${name}"`,
          { details: { task: task.name, dependency: name } },
        );
      }
      dependents[d]!.push(i);
      return d;
    });
    fields.push(`n${i}`, task.name, `p${i}`, String(task.priority), `w${i}`, String(deps.length));
    if (deps.length > 0) fields.push(`s${i}`, "0", `dp${i}`, deps.join(","));
    else roots.push(String(i), String(task.priority));
  });
  dependents.forEach((list, i) => {
    if (list.length > 0) fields.push(`dn${i}`, list.join(","));
  });
  return { fields, roots };
}

/** JSON for Redis; '' stands for undefined. */
export function toJson(value: unknown, what: string): string {
  if (value === undefined) return "";
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    throw new FlowMeshError("FM_ERR_BACKEND", `redis backend: ${what} is not JSON-serializable`, {
      cause: error,
    });
  }
  return json ?? "";
}

export function fromJson(json: string | undefined | null): unknown {
  return json === undefined || json === null || json === "" ? undefined : JSON.parse(json);
}

const TASK_STATUSES = [
  "pending",
  "ready",
  "running",
  "retrying",
  "succeeded",
  "skipped",
  "failed",
  "upstream_failed",
  "cancelled",
] as const;

function num(value: string | undefined): number | undefined {
  return value === undefined || value === "" ? undefined : Number(value);
}

/** The run summary fields, in the order the createRun script returns them for an existing run. */
export const SUMMARY_FIELDS = [
  "wf",
  "ver",
  "st",
  "in",
  "err",
  "ik",
  "rh",
  "by",
  "ca",
  "sa",
  "ea",
  "dl",
  "ns",
];

/** A run summary from a hash (or the summary fields of one). */
export function decodeSummary(id: string, h: Record<string, string | undefined>): RunSummary {
  const summary: RunSummary = {
    id,
    workflow: h.wf ?? "",
    version: h.ver ?? "",
    status: (h.st ?? "pending") as RunSummary["status"],
    input: fromJson(h.in),
    error: fromJson(h.err) as RunSummary["error"],
    idempotencyKey: h.ik || undefined,
    requestHash: h.rh || undefined,
    startedBy: h.by || undefined,
    createdAt: num(h.ca) ?? 0,
    startedAt: num(h.sa),
    endedAt: num(h.ea),
    deadlineAt: num(h.dl),
    namespace: h.ns || "default",
  };
  return summary;
}

/** A whole run record from its hash; undefined when the hash is empty (no such run). */
export function decodeRun(id: string, h: Record<string, string>): RunRecord | undefined {
  if (h.tn === undefined) return undefined;
  const count = Number(h.tn);
  const names: string[] = [];
  for (let i = 0; i < count; i++) names.push(h[`n${i}`] ?? String(i));
  const tasks: Record<string, TaskRecord> = {};
  for (let i = 0; i < count; i++) {
    const code = Number(h[`s${i}`] ?? 0);
    const deps = h[`dp${i}`];
    tasks[names[i]!] = {
      name: names[i]!,
      status: TASK_STATUSES[code] ?? "pending",
      dependsOn: deps === undefined ? [] : deps.split(",").map((d) => names[Number(d)]!),
      priority: Number(h[`p${i}`] ?? 0),
      attempts: Number(h[`a${i}`] ?? 0),
      firstAttempt: Number(h[`fa${i}`] ?? 1),
      output: fromJson(h[`o${i}`]),
      error: fromJson(h[`x${i}`]) as TaskRecord["error"],
      readyAt: num(h[`ra${i}`]),
      startedAt: num(h[`sa${i}`]),
      endedAt: num(h[`ea${i}`]),
      durationMs: code >= 4 || code === 3 ? num(h[`du${i}`]) : undefined,
      retryAt: code === 3 ? num(h[`rt${i}`]) : undefined,
    };
  }
  return { ...decodeSummary(id, h), tasks, taskOrder: names };
}

/** HGETALL as a flat array (what scripts return) to an object. */
export function pairs(flat: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
}

/**
 * A run's result as the result script (and a completion that ended an awaited
 * run) returns it: `[status, startedAt, endedAt, error JSON, name, output JSON, …]`,
 * `''` for absent values, outputs only once the run succeeded.
 */
export function decodeResult(reply: readonly string[]): RunResult {
  const status = reply[0] as RunResult["status"];
  const outputs: Record<string, unknown> = {};
  for (let i = 4; i + 1 < reply.length; i += 2) outputs[reply[i]!] = fromJson(reply[i + 1]);
  return {
    status,
    outputs,
    startedAt: reply[1] === "" ? undefined : Number(reply[1]),
    endedAt: reply[2] === "" ? undefined : Number(reply[2]),
    error: status === "succeeded" ? undefined : (fromJson(reply[3]) as RunResult["error"]),
  };
}
