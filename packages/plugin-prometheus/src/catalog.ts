/**
 * Every series the plugin exports: name, type, labels and meaning, in one
 * place. The README's metric table, the dashboard and the alert rules are
 * checked against it.
 */

export type MetricType = "counter" | "gauge" | "histogram";

export interface MetricSpec {
  readonly name: string;
  readonly type: MetricType;
  readonly labels: readonly string[];
  readonly help: string;
}

function spec(name: string, type: MetricType, labels: readonly string[], help: string): MetricSpec {
  return { name, type, labels, help };
}

/** The metrics, by the key the plugin's code uses. */
export const METRICS = {
  workflowsTotal: spec(
    "flowmesh_workflows_total",
    "counter",
    ["workflow", "status"],
    "Runs that ended in this process, by workflow and final status (succeeded, failed, cancelled, timed_out).",
  ),
  workflowDuration: spec(
    "flowmesh_workflow_duration_seconds",
    "histogram",
    ["workflow", "status"],
    "Time from a run's creation (its UUIDv7 id's timestamp) to its end in this process, queueing included, by workflow and final status.",
  ),
  activeWorkflows: spec(
    "flowmesh_active_workflows",
    "gauge",
    [],
    "Runs not finished yet (pending or running) across every process, read from the backend at scrape time.",
  ),
  tasksTotal: spec(
    "flowmesh_tasks_total",
    "counter",
    ["workflow", "task", "status"],
    "Tasks that ended in this process, by outcome: succeeded, skipped (a hook supplied the output) or failed (for good).",
  ),
  taskDuration: spec(
    "flowmesh_task_duration_seconds",
    "histogram",
    ["workflow", "task"],
    "Duration of each finished task attempt (succeeded, failed or timed out; skipped tasks are not observed).",
  ),
  taskRetries: spec(
    "flowmesh_task_retries_total",
    "counter",
    ["workflow", "task"],
    "Failed attempts that were scheduled for a retry.",
  ),
  taskTimeouts: spec(
    "flowmesh_task_timeouts_total",
    "counter",
    ["workflow", "task"],
    "Attempts that hit their task timeout (retried or not).",
  ),
  tasksRunning: spec(
    "flowmesh_tasks_running",
    "gauge",
    [],
    "Task attempts this process's worker is running now.",
  ),
  queueDepth: spec(
    "flowmesh_queue_depth",
    "gauge",
    [],
    "Ready and retrying tasks waiting to be claimed, across every process, read from the backend at scrape time.",
  ),
  queueWait: spec(
    "flowmesh_queue_wait_seconds",
    "histogram",
    ["workflow"],
    "Time from a task becoming ready to an attempt starting, for every attempt this process ran (reported when the attempt ends).",
  ),
  workerSlots: spec(
    "flowmesh_worker_slots",
    "gauge",
    ["state"],
    "This process's worker slots (its concurrency), busy or free.",
  ),
  leaseRecoveries: spec(
    "flowmesh_lease_recoveries_total",
    "counter",
    [],
    "Expired task leases (a worker died or stalled) this process's sweep returned to the queue.",
  ),
  leasesLost: spec(
    "flowmesh_task_leases_lost_total",
    "counter",
    ["workflow"],
    "Attempts in this process whose lease was lost (expired or taken over): their outcome was discarded.",
  ),
  circuitBreakerState: spec(
    "flowmesh_circuit_breaker_state",
    "gauge",
    ["name"],
    "State of each circuit breaker (0 closed, 1 half-open, 2 open), fed by @flowmesh/plugin-resilience.",
  ),
  backendUp: spec(
    "flowmesh_backend_up",
    "gauge",
    [],
    "1 when the last scrape could read the backend's figures, 0 when that failed.",
  ),
  httpRequests: spec(
    "flowmesh_http_requests_total",
    "counter",
    ["method", "route", "status"],
    "HTTP API requests served by this process, by method, route template and status code.",
  ),
  httpDuration: spec(
    "flowmesh_http_request_duration_seconds",
    "histogram",
    ["method", "route"],
    "HTTP API request durations, by method and route template.",
  ),
} as const satisfies Record<string, MetricSpec>;

/** The label value that stands for every value past a cardinality cap. */
export const OTHER = "__other__";
