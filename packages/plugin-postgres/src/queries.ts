/**
 * Every statement the coordinator sends, rendered once per schema and sent as
 * named (prepared) queries: each connection parses and plans them once.
 */
import { createHash } from "node:crypto";
import { quoteIdent } from "./identifier.js";

export interface Statement {
  name: string;
  text: string;
}

export type Queries = ReturnType<typeof buildQueries>;

/** The hot and cold statements of one schema. */
export function buildQueries(schema: string) {
  const S = quoteIdent(schema);
  // Prepared statement names are per connection: a pool shared by two schemas must not mix them up.
  const tag = createHash("sha1").update(schema).digest("hex").slice(0, 8);
  const q = (name: string, text: string): Statement => ({ name: `fm_${tag}_${name}`, text });
  return {
    createRuns: q(
      "create_runs",
      `SELECT r FROM ${S}.create_runs($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) AS r`,
    ),
    createRunsEager: q(
      "create_runs_eager",
      `SELECT r FROM ${S}.create_runs($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) AS r`,
    ),
    claim: q("claim", `SELECT * FROM ${S}.claim($1, $2, $3)`),
    heartbeat: q(
      "heartbeat",
      `WITH l AS (
        SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[]) WITH ORDINALITY AS l(run_id, name, token, i)
      ), held AS (
        SELECT t.run_id, t.name FROM ${S}.tasks t JOIN l ON t.run_id = l.run_id AND t.name = l.name
        -- IS TRUE keeps tasks_leases out of the plan: each task is looked up by its key (see complete()).
        WHERE t.lease = l.token AND (t.status = 'running' AND t.lease_expires_at > now()) IS TRUE
        ORDER BY t.run_id, t.name
        FOR UPDATE OF t SKIP LOCKED
      ), extended AS (
        UPDATE ${S}.tasks t SET lease_expires_at = now() + $4 * interval '1 millisecond'
        FROM held h WHERE t.run_id = h.run_id AND t.name = h.name
        RETURNING t.run_id
      )
      SELECT l.i::integer AS i FROM l WHERE NOT EXISTS (
        SELECT 1 FROM ${S}.tasks t WHERE t.run_id = l.run_id AND t.name = l.name AND t.lease = l.token
          AND (t.status = 'running' AND t.lease_expires_at > now()) IS TRUE)`,
    ),
    notify: q("notify", ""),
    complete: q("complete", `SELECT * FROM ${S}.complete($1, $2, $3, $4, $5, $6)`),
    fail: q("fail", `SELECT * FROM ${S}.fail($1, $2, $3, $4, $5, $6, $7, $8)`),
    finishRun: q("finish_run", `SELECT ${S}.finish_run($1, $2, $3) AS r`),
    retryRun: q("retry_run", `SELECT * FROM ${S}.retry_run($1, $2)`),
    recover: q("recover", `SELECT * FROM ${S}.recover()`),
    getRun: q("get_run", `SELECT ${S}.run_json(r, true) AS r FROM ${S}.runs r WHERE r.id = $1`),
    getResults: q(
      "get_results",
      `SELECT r.id, r.status, ${S}.ms(r.started_at) AS started_at, ${S}.ms(r.ended_at) AS ended_at, r.error,
        CASE WHEN r.status = 'succeeded' THEN (
          SELECT json_agg(json_build_array(t.name, t.output::text) ORDER BY t.idx) FROM ${S}.tasks t
          WHERE t.run_id = r.id) END AS outputs
      FROM ${S}.runs r WHERE r.id = ANY($1::uuid[])`,
    ),
    readEvents: q(
      "read_events",
      `SELECT e.id::text AS id, e.type, ${S}.ms(e.at) AS at, e.task, e.attempt, e.duration_ms, e.error
      FROM ${S}.events e WHERE e.run_id = $1 AND e.id > $2 ORDER BY e.id LIMIT $3`,
    ),
    queueDepth: q(
      "queue_depth",
      `SELECT count(*)::integer AS n FROM ${S}.tasks t WHERE t.status IN ('ready', 'retrying')`,
    ),
    activeRuns: q("active_runs", `SELECT count(*)::integer AS n FROM ${S}.runs r WHERE r.phase = 'active'`),
    nextRetry: q(
      "next_retry",
      `SELECT ${S}.ms(min(t.run_at)) - ${S}.ms(now()) AS delay FROM ${S}.tasks t
      WHERE t.status IN ('ready', 'retrying')`,
    ),
    finishedAmong: q(
      "finished_among",
      `SELECT r.id, r.status FROM ${S}.runs r
      WHERE r.id = ANY($1::uuid[]) AND r.status IN ('succeeded', 'failed', 'cancelled', 'timed_out')`,
    ),
    endedSince: q(
      "ended_since",
      `SELECT r.id, r.status, ${S}.ms(r.ended_at) AS ended_at FROM ${S}.runs r
      WHERE r.ended_at >= 'epoch'::timestamptz + $1 * interval '1 millisecond'
      ORDER BY r.ended_at LIMIT 1000`,
    ),
    prune: q(
      "prune",
      `WITH doomed AS (
        SELECT r.id FROM ${S}.runs r
        WHERE r.ended_at < now() - $1 * interval '1 millisecond'
          AND r.status IN ('succeeded', 'failed', 'cancelled', 'timed_out')
        ORDER BY r.ended_at LIMIT $2
        FOR UPDATE SKIP LOCKED
      ), tasks AS (
        DELETE FROM ${S}.tasks t WHERE t.run_id IN (SELECT d.id FROM doomed d)
      ), events AS (
        DELETE FROM ${S}.events e WHERE e.run_id IN (SELECT d.id FROM doomed d)
      ), runs AS (
        DELETE FROM ${S}.runs r WHERE r.id IN (SELECT d.id FROM doomed d) RETURNING 1
      )
      SELECT count(*)::integer AS n FROM runs`,
    ),
    /** listRuns: built per filter shape (see list-runs.ts); the schema prefix for it. */
    schemaSql: S,
  };
}

/**
 * The claim: picks claimable tasks in queue order straight off the
 * `tasks_queue` index (stopping at the limit, so the cost does not grow with
 * the queue; the run_at test is written so that it cannot become an index
 * condition, which would let a generic plan sort the whole queue instead), locks their runs (skipping rows and runs locked by others: a task
 * whose run is busy stays queued for the next claim), leases them, starts their runs, logs the events, and returns each task with
 * its run's input and its dependencies' outputs. The body of the `claim()`
 * function; parameters are SQL expressions.
 */
export function claimSql(S: string, worker: string, max: string, leaseMs: string): string {
  const columns = `c.run_id, c.name, c.idx, r.workflow, r.version, c.attempts,
        c.attempts - c.first_attempt + 1, c.lease::text, r.input::text,
        CASE WHEN cardinality(c.depends_on) = 0 THEN NULL ELSE (
          SELECT json_object_agg(d.name, d.output) FROM ${S}.tasks d
          WHERE d.run_id = c.run_id AND d.name = ANY(c.depends_on)) END,
        ${S}.ms(c.lease_expires_at), ${S}.ms(c.ready_at)`;
  return `WITH picked AS (
        SELECT t.run_id, t.name FROM ${S}.tasks t
        WHERE t.status IN ('ready', 'retrying') AND (t.run_at <= now()) IS TRUE
        ORDER BY t.priority DESC, t.run_at
        LIMIT ${max}
        FOR UPDATE SKIP LOCKED
      ), locked AS (
        SELECT p.run_id, p.name, r.status AS run_status FROM picked p JOIN ${S}.runs r ON r.id = p.run_id
        FOR UPDATE OF r SKIP LOCKED
      ), claimed AS (
        UPDATE ${S}.tasks t SET status = 'running', attempts = t.attempts + 1, lease = t.lease + 1, worker = ${worker},
          ready_at = t.run_at, run_at = NULL, started_at = now(),
          lease_expires_at = now() + ${leaseMs} * interval '1 millisecond'
        FROM locked l WHERE t.run_id = l.run_id AND t.name = l.name
        RETURNING t.run_id, t.name, t.idx, t.attempts, t.first_attempt, t.lease, t.ready_at, t.lease_expires_at,
          t.depends_on, t.priority
      ), started AS (
        UPDATE ${S}.runs r SET status = 'running', started_at = now()
        WHERE r.id IN (SELECT l.run_id FROM locked l WHERE l.run_status = 'pending') AND r.status = 'pending'
        RETURNING r.id
      ), logged AS (
        INSERT INTO ${S}.events (run_id, type, at, task, attempt)
        SELECT e.run_id, e.type, now(), e.task, e.attempt FROM (
          SELECT s.id AS run_id, 'run:started' AS type, NULL::text AS task, NULL::integer AS attempt, 0 AS ord,
            0 AS idx FROM started s
          UNION ALL
          SELECT c.run_id, 'task:started', c.name, c.attempts, 1, c.idx FROM claimed c
        ) e ORDER BY e.run_id, e.ord, e.idx
      )
      (SELECT ${columns}, 0
      FROM claimed c JOIN ${S}.runs r ON r.id = c.run_id
      ORDER BY c.priority DESC, c.ready_at)
      UNION ALL
      -- Ready tasks passed over because their run's row was locked (a completion of that run committing):
      -- one last row with only this count, so the caller claims again once the lock is gone.
      SELECT NULL::uuid, NULL::text, NULL::integer, NULL::text, NULL::text, NULL::integer, NULL::integer,
        NULL::text, NULL::text, NULL::json, NULL::double precision, NULL::double precision, s.n
      FROM (SELECT ((SELECT count(*) FROM picked) - (SELECT count(*) FROM locked))::integer AS n) s WHERE s.n > 0`;
}
