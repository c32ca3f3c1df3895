/**
 * What the coordinator is configured with, and the settings of the connections
 * it opens. Those are a function of the options alone: the LISTEN connection,
 * opened later and on its own, must look like the pool's (a pool passed in
 * included), whatever state the coordinator is in.
 */
import type pg from "pg";

export interface PostgresCoordinatorOptions {
  /** `postgres://user:pass@host:5432/db`. Ignored when `pool` is given. */
  connectionString?: string;
  /** An existing pool: used as is and never ended by FlowMesh. */
  pool?: pg.Pool;
  /** Schema holding FlowMesh's tables. @default "flowmesh" */
  schema?: string;
  /** Apply missing migrations at start (under an advisory lock). With false, only check them. @default true */
  migrate?: boolean;
  /** `application_name` of FlowMesh's connections (pools it creates, and the LISTEN connection). @default "flowmesh" */
  applicationName?: string;
  /** Size of the pool FlowMesh creates. @default 10 */
  poolSize?: number;
  /** `statement_timeout` of the connections FlowMesh creates, in ms. @default 30000 */
  statementTimeoutMs?: number;
  /**
   * `synchronous_commit` for FlowMesh's own connections. `false` trades the
   * last few hundred ms of commits on a server crash for throughput.
   * @default true (the server's setting)
   */
  synchronousCommit?: boolean;
  /** Poll for work this often while the LISTEN connection is down, in ms. @default 1000 */
  pollIntervalMs?: number;
  /** Also look for work this often while listening, in case a notification was lost (a process died between commit and notify). @default 5000 */
  safetyPollMs?: number;
  /** How often to check whether runs awaited in this process ended, in case their notification was lost. @default 1000 */
  watchPollMs?: number;
  /** Delete finished runs this old (ms since they ended) during the recovery sweep. @default undefined (keep all) */
  retentionMs?: number;
}

/** Options of `PostgresCoordinator.pruneRuns()`. */
export interface PruneOptions {
  /** Delete runs that finished at least this many ms ago. */
  olderThanMs: number;
  /** Rows per delete statement. @default 500 */
  batchSize?: number;
}

/** Settings of the connections FlowMesh opens itself. */
export function connectionConfig(o: PostgresCoordinatorOptions): pg.ClientConfig {
  const base: pg.ClientConfig =
    o.pool !== undefined
      ? { ...(o.pool.options as pg.ClientConfig) }
      : { connectionString: o.connectionString, statement_timeout: o.statementTimeoutMs ?? 30_000 };
  if (o.pool === undefined || o.applicationName !== undefined) {
    base.application_name = o.applicationName ?? "flowmesh";
  }
  if (o.synchronousCommit === false) base.options = `${base.options ?? ""} -c synchronous_commit=off`.trim();
  return base;
}
