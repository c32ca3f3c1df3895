/** Rows and JSON arrays from the database, mapped to FlowMesh records. */
import type { RunEvent, RunEventType, RunRecord, RunStatus, TaskRecord, TaskStatus } from "@flowmesh/core";
import type { ClaimedTask, RunResult, RunSummary } from "@flowmesh/core/plugin";

/** `run_json()`'s array: see the SQL function. */
export type RunJson = [
  id: string,
  namespace: string,
  workflow: string,
  version: string,
  status: RunStatus,
  input: string | null,
  error: RunRecord["error"] | null,
  idempotencyKey: string | null,
  requestHash: string | null,
  startedBy: string | null,
  createdAt: number,
  startedAt: number | null,
  endedAt: number | null,
  deadlineAt: number | null,
  tasks: TaskJson[] | null,
];

type TaskJson = [
  name: string,
  status: TaskStatus,
  dependsOn: string[],
  priority: number,
  attempts: number,
  firstAttempt: number,
  output: string | null,
  error: TaskRecord["error"] | null,
  readyAt: number | null,
  startedAt: number | null,
  endedAt: number | null,
  durationMs: number | null,
  runAt: number | null,
];

const DONE = new Set<TaskStatus>(["succeeded", "skipped", "failed", "upstream_failed", "cancelled"]);

/** JSON text to a value; SQL NULL (JavaScript `undefined` when it was stored) stays undefined. */
export function parseJson(text: string | null): unknown {
  return text === null ? undefined : JSON.parse(text);
}

/** A value to JSON text; `undefined` becomes SQL NULL. Throws on what JSON cannot carry. */
export function toJson(value: unknown): string | null {
  if (value === undefined) return null;
  const text = JSON.stringify(value);
  return text === undefined ? null : text;
}

function opt<T>(value: T | null): T | undefined {
  return value === null ? undefined : value;
}

export function toSummary(row: RunJson): RunSummary {
  const summary: RunSummary = {
    id: row[0],
    workflow: row[2],
    version: row[3],
    namespace: row[1],
    status: row[4],
    input: parseJson(row[5]),
    error: opt(row[6]),
    idempotencyKey: opt(row[7]),
    requestHash: opt(row[8]),
    startedBy: opt(row[9]),
    createdAt: row[10],
    startedAt: opt(row[11]),
    endedAt: opt(row[12]),
    deadlineAt: opt(row[13]),
  };
  return summary;
}

export function toRecord(row: RunJson): RunRecord {
  const tasks: Record<string, TaskRecord> = {};
  const taskOrder: string[] = [];
  for (const t of row[14] ?? []) {
    const status = t[1];
    taskOrder.push(t[0]);
    tasks[t[0]] = {
      name: t[0],
      status,
      dependsOn: t[2],
      priority: t[3],
      attempts: t[4],
      firstAttempt: t[5],
      output: parseJson(t[6]),
      error: opt(t[7]),
      readyAt: opt(t[8]),
      startedAt: opt(t[9]),
      endedAt: opt(t[10]),
      durationMs: DONE.has(status) || status === "retrying" ? opt(t[11]) : undefined,
      retryAt: status === "retrying" ? opt(t[12]) : undefined,
    };
  }
  return { ...toSummary(row), tasks, taskOrder };
}

export interface EventRow {
  id: string;
  type: RunEventType;
  at: number;
  task: string | null;
  attempt: number | null;
  duration_ms: number | null;
  error: RunEvent["error"] | null;
}

export function toEvent(runId: string, row: EventRow): RunEvent {
  const event: RunEvent = { id: row.id, runId, type: row.type, at: row.at };
  if (row.task !== null) event.task = row.task;
  if (row.attempt !== null) event.attempt = row.attempt;
  if (row.duration_ms !== null) event.durationMs = row.duration_ms;
  if (row.error !== null) event.error = row.error;
  return event;
}

/** A row of `getResults`: the run's status, times, error and task outputs. */
export interface ResultRow {
  id: string;
  status: RunResult["status"];
  started_at: number | null;
  ended_at: number | null;
  error: RunResult["error"] | null;
  outputs: [string, string | null][] | null;
}

export function toResult(row: ResultRow): RunResult {
  const outputs: Record<string, unknown> = {};
  for (const [name, output] of row.outputs ?? []) outputs[name] = parseJson(output);
  return {
    status: row.status,
    outputs,
    startedAt: row.started_at ?? undefined,
    endedAt: row.ended_at ?? undefined,
    error: row.error ?? undefined,
  };
}

/** A task a claim (or an eager start) leased: one row of `claim()`, or of `create_runs`' leased roots. */
export interface ClaimRow {
  run_id: string;
  name: string;
  idx: number;
  workflow: string;
  version: string;
  attempts: number;
  round_attempt: number;
  token: string;
  input: string | null;
  deps: Record<string, unknown> | null;
  lease_expires_at: number;
  ready_at: number;
}

/** The claim's trailing row, when ready tasks were passed over: only their count. */
export interface SkippedRow {
  run_id: null;
  skipped: number;
}

/** What create_runs returns per run: created, the run, and the roots an eager start leased (as claim rows). */
export type CreateResultJson = [created: boolean, run: RunJson, claimed?: ClaimRow[]];

export function toClaimed(row: ClaimRow): ClaimedTask {
  return {
    runId: row.run_id,
    task: row.name,
    token: row.token,
    index: row.idx,
    workflow: row.workflow,
    version: row.version,
    attempt: row.attempts,
    roundAttempt: row.round_attempt,
    input: parseJson(row.input),
    deps: row.deps ?? {},
    leaseExpiresAt: row.lease_expires_at,
    readyAt: row.ready_at,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Run ids are UUIDs in this backend: anything else names no run. */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}

const TOKEN = /^\d{1,18}$/;

/** Lease tokens are the task's lease counter: anything else holds no lease. */
export function isToken(token: string): boolean {
  return TOKEN.test(token);
}

/** retry_run()'s row: `out_error` null and the reopened run, or why not. */
export interface RetryRow {
  out_error: string | null;
  out_status: string | null;
  out_task: string | null;
  out_dep: string | null;
  out_run: RunJson | null;
}
