/**
 * Migration 2: eager start. An overload of `create_runs` that, for the runs
 * whose `p_claim` is above 0, also leases up to that many of their root
 * tasks (highest priority first, then plan order) to `p_worker`, exactly as
 * `claim()` would: running with attempt 1 and a fresh lease token, the run
 * started, `run:started` and `task:started` logged. The runs are new to this
 * transaction, so nothing else can hold their rows: no locks to take or skip.
 * Each result is `create_runs`' own, with a third element for a run that
 * leased roots: its claimed tasks as objects with `claim()`'s column names.
 * The 10-argument `create_runs` stays as it was (and is what a batch with no
 * eager start calls). `S` is the quoted schema.
 */
export function eagerStartSql(S: string): string {
  return `
CREATE FUNCTION ${S}.create_runs(p_id uuid[], p_namespace text[], p_workflow text[], p_version text[],
  p_input text[], p_key text[], p_hash text[], p_started_by text[], p_timeout_ms double precision[], p_graph json[],
  p_claim integer[], p_worker text, p_lease_ms double precision)
RETURNS SETOF json LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_now timestamptz := now();
  v_results json[];
BEGIN
  SELECT array_agg(c.r ORDER BY c.i) INTO v_results
  FROM ${S}.create_runs(p_id, p_namespace, p_workflow, p_version, p_input, p_key, p_hash, p_started_by,
    p_timeout_ms, p_graph) WITH ORDINALITY AS c(r, i);
  RETURN QUERY
  WITH eager AS (
    -- Only runs this call created (not one an idempotency key found) lease anything.
    SELECT u.id, u.max FROM unnest(p_id, p_claim, v_results) AS u(id, max, res)
    WHERE u.max > 0 AND (u.res->>0)::boolean
  ), picked AS (
    SELECT p.run_id, p.name FROM eager e CROSS JOIN LATERAL (
      SELECT t.run_id, t.name FROM ${S}.tasks t WHERE t.run_id = e.id AND t.status = 'ready'
      ORDER BY t.priority DESC, t.idx LIMIT e.max) p
  ), claimed AS (
    UPDATE ${S}.tasks t SET status = 'running', attempts = t.attempts + 1, lease = t.lease + 1, worker = p_worker,
      ready_at = t.run_at, run_at = NULL, started_at = v_now,
      lease_expires_at = v_now + p_lease_ms * interval '1 millisecond'
    FROM picked p WHERE t.run_id = p.run_id AND t.name = p.name
    RETURNING t.run_id, t.name, t.idx, t.attempts, t.first_attempt, t.lease, t.ready_at, t.lease_expires_at,
      t.priority
  ), started AS (
    UPDATE ${S}.runs r SET status = 'running', started_at = v_now
    WHERE r.id IN (SELECT c.run_id FROM claimed c) AND r.status = 'pending'
    RETURNING r.id
  ), logged AS (
    INSERT INTO ${S}.events (run_id, type, at, task, attempt)
    SELECT e.run_id, e.type, v_now, e.task, e.attempt FROM (
      SELECT s.id AS run_id, 'run:started' AS type, NULL::text AS task, NULL::integer AS attempt, 0 AS ord,
        0 AS prio, 0 AS idx FROM started s
      UNION ALL
      SELECT c.run_id, 'task:started', c.name, c.attempts, 1, -c.priority, c.idx FROM claimed c
    ) e ORDER BY e.run_id, e.ord, e.prio, e.idx
  ), per_run AS (
    -- The claimed tasks with claim()'s column names: the client reads both alike.
    SELECT c.run_id, json_agg(json_build_object('run_id', c.run_id, 'name', c.name, 'idx', c.idx,
      'workflow', r.workflow, 'version', r.version, 'attempts', c.attempts,
      'round_attempt', c.attempts - c.first_attempt + 1, 'token', c.lease::text, 'input', r.input::text,
      'deps', NULL, 'lease_expires_at', ${S}.ms(c.lease_expires_at), 'ready_at', ${S}.ms(c.ready_at))
      ORDER BY c.priority DESC, c.idx) AS tasks
    FROM claimed c JOIN ${S}.runs r ON r.id = c.run_id GROUP BY c.run_id
  )
  SELECT CASE WHEN pr.tasks IS NULL THEN u.res ELSE json_build_array(u.res->0, u.res->1, pr.tasks) END
  FROM unnest(p_id, v_results) WITH ORDINALITY AS u(id, res, i) LEFT JOIN per_run pr ON pr.run_id = u.id
  ORDER BY u.i;
END $$;
`;
}
