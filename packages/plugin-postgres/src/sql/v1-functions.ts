import { claimSql } from "../queries.js";

/** The batched completion (see {@link functionsSql}). */
function completeSql(S: string): string {
  return `
-- Commits task outputs (a batch: set-based, a few statements whatever its size) and readies the
-- dependents they complete; one row per item. Runs are locked first, in id order (no deadlocks between
-- concurrent batches); each run's events are written in order, its run:<status> event last.
-- out_status is set on the item that finished its run (one per run), with the run's start and end times
-- (out_started, out_ended: ms), out_readied counts dependents of the item's run that became ready.
CREATE FUNCTION ${S}.complete(p_run uuid[], p_name text[], p_token bigint[], p_output text[],
  p_duration double precision[], p_skipped boolean[])
RETURNS TABLE (out_i integer, out_ok boolean, out_status text, out_readied integer,
  out_started double precision, out_ended double precision) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_now timestamptz := now();
BEGIN
  PERFORM 1 FROM ${S}.runs r WHERE r.id = ANY(p_run) ORDER BY r.id FOR UPDATE;
  RETURN QUERY
  WITH o AS (
    SELECT * FROM unnest(p_run, p_name, p_token, p_output, p_duration, p_skipped)
      WITH ORDINALITY AS o(run_id, name, token, output, duration, skipped, i)
  ), done AS (
    UPDATE ${S}.tasks t SET status = CASE WHEN o.skipped THEN 'skipped' ELSE 'succeeded' END,
      output = o.output::json, error = NULL, ended_at = v_now, duration_ms = o.duration, lease_expires_at = NULL
    -- The lease test is wrapped in IS TRUE so that it cannot match tasks_leases: the plan looks each task
    -- up by its key, instead of scanning every running (and, until vacuumed, once-running) task.
    FROM o WHERE t.run_id = o.run_id AND t.name = o.name AND t.lease = o.token
      AND (t.status = 'running' AND t.lease_expires_at > v_now) IS TRUE
    RETURNING o.i, t.run_id, t.name, t.dependents, t.attempts, o.skipped, o.duration
  ), deps AS (
    SELECT d.run_id, x.dep, count(*)::integer AS n
    FROM done d CROSS JOIN LATERAL unnest(d.dependents) AS x(dep) GROUP BY d.run_id, x.dep
  ), readied AS (
    UPDATE ${S}.tasks t SET pending_deps = t.pending_deps - deps.n,
      status = CASE WHEN t.pending_deps = deps.n AND t.status = 'pending' THEN 'ready' ELSE t.status END,
      ready_at = CASE WHEN t.pending_deps = deps.n AND t.status = 'pending' THEN v_now ELSE t.ready_at END,
      run_at = CASE WHEN t.pending_deps = deps.n AND t.status = 'pending' THEN v_now ELSE t.run_at END
    FROM deps WHERE t.run_id = deps.run_id AND t.name = deps.dep
    RETURNING t.run_id, t.status, t.pending_deps
  ), per_run AS (
    SELECT d.run_id, count(*)::integer AS n, max(d.i) AS last FROM done d GROUP BY d.run_id
  ), settled AS (
    UPDATE ${S}.runs r SET remaining = r.remaining - p.n,
      status = CASE WHEN r.remaining = p.n THEN
        CASE WHEN EXISTS (SELECT 1 FROM ${S}.tasks f WHERE f.run_id = r.id AND f.status = 'failed')
          THEN 'failed' ELSE 'succeeded' END
        ELSE r.status END,
      ended_at = CASE WHEN r.remaining = p.n THEN v_now ELSE r.ended_at END
    FROM per_run p WHERE r.id = p.run_id
    RETURNING r.id, p.last, CASE WHEN r.remaining = 0 THEN r.status END AS status,
      ${S}.ms(r.started_at) AS started, ${S}.ms(r.ended_at) AS ended
  ), logged AS (
    INSERT INTO ${S}.events (run_id, type, at, task, attempt, duration_ms)
    SELECT e.run_id, e.type, v_now, e.task, e.attempt, e.duration_ms FROM (
      SELECT d.run_id, CASE WHEN d.skipped THEN 'task:skipped' ELSE 'task:succeeded' END AS type, d.name AS task,
        d.attempts AS attempt, d.duration AS duration_ms, 0 AS ord, d.i AS k FROM done d
      UNION ALL
      SELECT s.id, 'run:' || s.status, NULL, NULL, NULL, 1, 0 FROM settled s WHERE s.status IS NOT NULL
    ) e ORDER BY e.run_id, e.ord, e.k
  ), readied_runs AS (
    SELECT x.run_id, count(*)::integer AS n FROM readied x WHERE x.status = 'ready' AND x.pending_deps = 0
    GROUP BY x.run_id
  )
  SELECT o.i::integer, d.i IS NOT NULL, CASE WHEN s.last = o.i THEN s.status END, COALESCE(rr.n, 0),
    CASE WHEN s.last = o.i AND s.status IS NOT NULL THEN s.started END,
    CASE WHEN s.last = o.i AND s.status IS NOT NULL THEN s.ended END
  FROM o LEFT JOIN done d ON d.i = o.i
    LEFT JOIN settled s ON s.id = o.run_id AND d.i IS NOT NULL
    LEFT JOIN readied_runs rr ON rr.run_id = o.run_id AND d.i IS NOT NULL
  ORDER BY o.i;
END $$;

`;
}

/**
 * Migration 1, part two: the state transitions as functions, so each one is a
 * single round trip and a single transaction. Every transition that writes
 * events locks the run row first, so a run's event ids follow commit order
 * (a live stream resuming after an id never misses one), and nothing waits on
 * a task row while holding another run's lock (no deadlocks). `S` is the
 * quoted schema. Notifications are sent by the client after commit, batched
 * (a NOTIFY inside a writing transaction serialises every commit).
 */
export function functionsSql(S: string): string {
  return `${completeSql(S)}
-- Claims up to p_max claimable tasks (see claimSql). enable_bitmapscan is off for its plan only: a
-- cached generic plan would otherwise bitmap-scan and sort the whole queue to return a few tasks,
-- where the ordered scan of tasks_queue stops at the limit.
CREATE FUNCTION ${S}.claim(p_worker text, p_max integer, p_lease_ms double precision)
RETURNS TABLE (run_id uuid, name text, idx integer, workflow text, version text, attempts integer,
  round_attempt integer, token text, input text, deps json, lease_expires_at double precision,
  ready_at double precision, skipped integer)
LANGUAGE plpgsql SET enable_bitmapscan = off AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY ${claimSql(S, "p_worker", "p_max", "p_lease_ms")};
END $$;

CREATE FUNCTION ${S}.ms(ts timestamptz) RETURNS double precision
LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT floor(extract(epoch FROM ts) * 1000)::double precision $$;

-- A run as a JSON array (the client maps it to a RunRecord); tasks in plan order when p_tasks.
CREATE FUNCTION ${S}.run_json(r ${S}.runs, p_tasks boolean) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_array(r.id, r.namespace, r.workflow, r.version, r.status, r.input::text, r.error,
    r.idempotency_key, r.request_hash, r.started_by, ${S}.ms(r.created_at), ${S}.ms(r.started_at),
    ${S}.ms(r.ended_at), ${S}.ms(r.deadline_at),
    CASE WHEN p_tasks THEN (
      SELECT json_agg(json_build_array(t.name, t.status, t.depends_on, t.priority, t.attempts, t.first_attempt,
        t.output::text, t.error, ${S}.ms(t.ready_at), ${S}.ms(t.started_at), ${S}.ms(t.ended_at), t.duration_ms,
        ${S}.ms(t.run_at)) ORDER BY t.idx)
      FROM ${S}.tasks t WHERE t.run_id = r.id) END)
$$;

-- Creates a run with its tasks, or returns the run that already holds the idempotency key.
-- p_graph: [[name, priority, [dependsOn...], [dependents...]], ...] in plan order.
CREATE FUNCTION ${S}.create_run(p_id uuid, p_namespace text, p_workflow text, p_version text, p_input text,
  p_key text, p_hash text, p_started_by text, p_timeout_ms double precision, p_graph json)
RETURNS json LANGUAGE plpgsql AS $$
DECLARE
  v_now timestamptz := now();
  v_row ${S}.runs;
BEGIN
  LOOP
    INSERT INTO ${S}.runs AS r (id, namespace, workflow, version, status, input, idempotency_key, request_hash,
      started_by, created_at, deadline_at, timeout_ms, remaining)
    VALUES (p_id, p_namespace, p_workflow, p_version, 'pending', p_input::json, p_key, p_hash, p_started_by, v_now,
      v_now + p_timeout_ms * interval '1 millisecond', p_timeout_ms, json_array_length(p_graph))
    ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
    RETURNING * INTO v_row;
    EXIT WHEN FOUND;
    -- The key is taken: the insert waited for its holder to commit, so this read sees it.
    SELECT * INTO v_row FROM ${S}.runs r WHERE r.idempotency_key = p_key;
    IF FOUND THEN
      RETURN json_build_array(false, ${S}.run_json(v_row, false));
    END IF;
    -- Its holder was deleted meanwhile (pruned): try again.
  END LOOP;
  INSERT INTO ${S}.tasks (run_id, name, idx, status, priority, depends_on, dependents, pending_deps, ready_at, run_at)
  SELECT p_id, g.t->>0, (g.i - 1)::integer,
    CASE WHEN json_array_length(g.t->2) = 0 THEN 'ready' ELSE 'pending' END,
    (g.t->>1)::integer,
    ARRAY(SELECT json_array_elements_text(g.t->2)),
    ARRAY(SELECT json_array_elements_text(g.t->3)),
    json_array_length(g.t->2),
    CASE WHEN json_array_length(g.t->2) = 0 THEN v_now END,
    CASE WHEN json_array_length(g.t->2) = 0 THEN v_now END
  FROM json_array_elements(p_graph) WITH ORDINALITY AS g(t, i);
  INSERT INTO ${S}.events (run_id, type, at) VALUES (p_id, 'run:created', v_now);
  RETURN json_build_array(true, ${S}.run_json(v_row, false));
END $$;

-- Creates a batch of runs (one transaction): one create_run() result per item, in order.
-- A batch without idempotency keys is inserted set-based; one with keys goes run by run (ON CONFLICT).
CREATE FUNCTION ${S}.create_runs(p_id uuid[], p_namespace text[], p_workflow text[], p_version text[],
  p_input text[], p_key text[], p_hash text[], p_started_by text[], p_timeout_ms double precision[], p_graph json[])
RETURNS SETOF json LANGUAGE plpgsql AS $$
DECLARE
  v_i integer;
  v_now timestamptz := now();
BEGIN
  IF NOT EXISTS (SELECT 1 FROM unnest(p_key) AS k WHERE k IS NOT NULL) THEN
    -- No idempotency key in the batch: set-based, three inserts whatever its size.
    INSERT INTO ${S}.runs (id, namespace, workflow, version, status, input, request_hash, started_by,
      created_at, deadline_at, timeout_ms, remaining)
    SELECT o.id, o.namespace, o.workflow, o.version, 'pending', o.input::json, o.hash, o.started_by, v_now,
      v_now + o.timeout_ms * interval '1 millisecond', o.timeout_ms, json_array_length(o.graph)
    FROM unnest(p_id, p_namespace, p_workflow, p_version, p_input, p_hash, p_started_by, p_timeout_ms, p_graph)
      AS o(id, namespace, workflow, version, input, hash, started_by, timeout_ms, graph);
    INSERT INTO ${S}.tasks (run_id, name, idx, status, priority, depends_on, dependents, pending_deps, ready_at,
      run_at)
    SELECT o.id, g.t->>0, (g.i - 1)::integer,
      CASE WHEN json_array_length(g.t->2) = 0 THEN 'ready' ELSE 'pending' END,
      (g.t->>1)::integer,
      ARRAY(SELECT json_array_elements_text(g.t->2)),
      ARRAY(SELECT json_array_elements_text(g.t->3)),
      json_array_length(g.t->2),
      CASE WHEN json_array_length(g.t->2) = 0 THEN v_now END,
      CASE WHEN json_array_length(g.t->2) = 0 THEN v_now END
    FROM unnest(p_id, p_graph) AS o(id, graph)
      CROSS JOIN LATERAL json_array_elements(o.graph) WITH ORDINALITY AS g(t, i);
    INSERT INTO ${S}.events (run_id, type, at)
    SELECT u.id, 'run:created', v_now FROM unnest(p_id) WITH ORDINALITY AS u(id, i) ORDER BY u.i;
    RETURN QUERY SELECT json_build_array(true, ${S}.run_json(r, false))
      FROM unnest(p_id) WITH ORDINALITY AS u(id, i) JOIN ${S}.runs r ON r.id = u.id ORDER BY u.i;
    RETURN;
  END IF;
  FOR v_i IN 1 .. cardinality(p_id) LOOP
    RETURN NEXT ${S}.create_run(p_id[v_i], p_namespace[v_i], p_workflow[v_i], p_version[v_i], p_input[v_i],
      p_key[v_i], p_hash[v_i], p_started_by[v_i], p_timeout_ms[v_i], p_graph[v_i]);
  END LOOP;
END $$;

-- Fails an attempt: retry at now() + p_retry_ms, or for good (marking p_downstream upstream_failed).
CREATE FUNCTION ${S}.fail(p_run uuid, p_name text, p_token bigint, p_error json, p_duration double precision,
  p_retry_ms double precision, p_refund boolean, p_downstream text[])
RETURNS TABLE (out_ok boolean, out_status text) LANGUAGE plpgsql AS $$
DECLARE
  v_now timestamptz := now();
  v_attempt integer;
  v_failed integer;
  v_remaining integer;
  v_status text;
BEGIN
  out_ok := false; out_status := NULL;
  PERFORM 1 FROM ${S}.runs r WHERE r.id = p_run FOR UPDATE;
  IF NOT FOUND THEN RETURN NEXT; RETURN; END IF;
  IF p_retry_ms IS NOT NULL THEN
    UPDATE ${S}.tasks t SET status = 'retrying', error = p_error, duration_ms = p_duration,
      run_at = v_now + p_retry_ms * interval '1 millisecond', lease_expires_at = NULL,
      attempts = t.attempts - CASE WHEN p_refund THEN 1 ELSE 0 END
    WHERE t.run_id = p_run AND t.name = p_name AND t.status = 'running' AND t.lease = p_token
      AND t.lease_expires_at > v_now
    RETURNING t.attempts + CASE WHEN p_refund THEN 1 ELSE 0 END INTO v_attempt;
    IF NOT FOUND THEN RETURN NEXT; RETURN; END IF;
    INSERT INTO ${S}.events (run_id, type, at, task, attempt, duration_ms, error)
    VALUES (p_run, 'task:retrying', v_now, p_name, v_attempt, p_duration, p_error);
    out_ok := true; RETURN NEXT; RETURN;
  END IF;
  UPDATE ${S}.tasks t SET status = 'failed', error = p_error, duration_ms = p_duration, ended_at = v_now,
    lease_expires_at = NULL
  WHERE t.run_id = p_run AND t.name = p_name AND t.status = 'running' AND t.lease = p_token
    AND t.lease_expires_at > v_now
  RETURNING t.attempts INTO v_attempt;
  IF NOT FOUND THEN RETURN NEXT; RETURN; END IF;
  out_ok := true;
  INSERT INTO ${S}.events (run_id, type, at, task, attempt, duration_ms, error)
  VALUES (p_run, 'task:failed', v_now, p_name, v_attempt, p_duration, p_error);
  WITH u AS (
    UPDATE ${S}.tasks t SET status = 'upstream_failed', ended_at = v_now
    WHERE t.run_id = p_run AND t.name = ANY(p_downstream) AND t.status IN ('pending', 'ready')
    RETURNING t.name, t.idx, t.attempts),
  e AS (
    INSERT INTO ${S}.events (run_id, type, at, task, attempt)
    SELECT p_run, 'task:upstream_failed', v_now, u.name, u.attempts FROM u ORDER BY u.idx)
  SELECT count(*) INTO v_failed FROM u;
  UPDATE ${S}.runs r SET remaining = r.remaining - 1 - v_failed,
    error = COALESCE(r.error, (p_error::jsonb || jsonb_build_object('task', p_name))::json),
    status = CASE WHEN r.remaining - 1 - v_failed = 0 THEN 'failed' ELSE r.status END,
    ended_at = CASE WHEN r.remaining - 1 - v_failed = 0 THEN v_now ELSE r.ended_at END
  WHERE r.id = p_run
  RETURNING r.remaining, r.status INTO v_remaining, v_status;
  IF v_remaining = 0 THEN
    out_status := v_status;
    INSERT INTO ${S}.events (run_id, type, at) VALUES (p_run, 'run:' || v_status, v_now);
  END IF;
  RETURN NEXT;
END $$;

-- Ends a non-terminal run as cancelled or timed_out; returns the run, or NULL when it had ended.
CREATE FUNCTION ${S}.finish_run(p_run uuid, p_status text, p_reason text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
  v_now timestamptz := now();
  v_row ${S}.runs;
BEGIN
  SELECT * INTO v_row FROM ${S}.runs r WHERE r.id = p_run FOR UPDATE;
  IF NOT FOUND OR v_row.status NOT IN ('pending', 'running') THEN RETURN NULL; END IF;
  UPDATE ${S}.tasks t SET status = 'cancelled', ended_at = v_now, lease_expires_at = NULL, run_at = NULL
  WHERE t.run_id = p_run AND t.status IN ('pending', 'ready', 'running', 'retrying');
  UPDATE ${S}.runs r SET status = p_status, ended_at = v_now, remaining = 0,
    error = json_build_object('name', 'FlowMeshError',
      'code', CASE WHEN p_status = 'timed_out' THEN 'FM_ERR_WORKFLOW_TIMEOUT' ELSE 'FM_ERR_CANCELLED' END,
      'message', COALESCE(p_reason, CASE WHEN p_status = 'timed_out' THEN 'workflow timed out' ELSE 'run cancelled' END))
  WHERE r.id = p_run RETURNING * INTO v_row;
  INSERT INTO ${S}.events (run_id, type, at) VALUES (p_run, 'run:' || p_status, v_now);
  RETURN ${S}.run_json(v_row, true);
END $$;

-- Re-opens a finished run. out_error: unknown | not_finished | nothing | blocked, else out_run is set.
CREATE FUNCTION ${S}.retry_run(p_run uuid, p_reset text[])
RETURNS TABLE (out_error text, out_status text, out_task text, out_dep text, out_run json) LANGUAGE plpgsql AS $$
DECLARE
  v_now timestamptz := now();
  v_row ${S}.runs;
  v_reset text[];
  v_remaining integer;
BEGIN
  SELECT * INTO v_row FROM ${S}.runs r WHERE r.id = p_run FOR UPDATE;
  IF NOT FOUND THEN out_error := 'unknown'; RETURN NEXT; RETURN; END IF;
  IF v_row.status IN ('pending', 'running') THEN
    out_error := 'not_finished'; out_status := v_row.status; RETURN NEXT; RETURN;
  END IF;
  SELECT array_agg(t.name) INTO v_reset FROM ${S}.tasks t WHERE t.run_id = p_run AND t.name = ANY(p_reset);
  IF v_reset IS NULL THEN out_error := 'nothing'; RETURN NEXT; RETURN; END IF;
  SELECT t.name, d.name INTO out_task, out_dep
  FROM ${S}.tasks t JOIN ${S}.tasks d ON d.run_id = t.run_id AND d.name = ANY(t.depends_on)
  WHERE t.run_id = p_run AND t.name = ANY(v_reset) AND NOT (d.name = ANY(v_reset))
    AND d.status NOT IN ('succeeded', 'skipped')
  ORDER BY t.idx, d.idx LIMIT 1;
  IF FOUND THEN out_error := 'blocked'; RETURN NEXT; RETURN; END IF;
  UPDATE ${S}.tasks t SET first_attempt = t.attempts + 1, status = 'pending', output = NULL, error = NULL,
    ended_at = NULL, run_at = NULL, lease_expires_at = NULL
  WHERE t.run_id = p_run AND t.name = ANY(v_reset);
  UPDATE ${S}.tasks t SET pending_deps = (
    SELECT count(*) FROM ${S}.tasks d
    WHERE d.run_id = t.run_id AND d.name = ANY(t.depends_on) AND d.status NOT IN ('succeeded', 'skipped'))
  WHERE t.run_id = p_run AND t.status = 'pending';
  SELECT count(*) INTO v_remaining FROM ${S}.tasks t WHERE t.run_id = p_run AND t.status = 'pending';
  UPDATE ${S}.runs r SET error = NULL, ended_at = NULL, status = 'running', remaining = v_remaining,
    deadline_at = v_now + r.timeout_ms * interval '1 millisecond'
  WHERE r.id = p_run;
  INSERT INTO ${S}.events (run_id, type, at) VALUES (p_run, 'run:retried', v_now);
  UPDATE ${S}.tasks t SET status = 'ready', ready_at = v_now, run_at = v_now
  WHERE t.run_id = p_run AND t.name = ANY(v_reset) AND t.status = 'pending' AND t.pending_deps = 0;
  SELECT * INTO v_row FROM ${S}.runs r WHERE r.id = p_run;
  out_run := ${S}.run_json(v_row, true);
  RETURN NEXT;
END $$;

-- Returns expired leases to the queue and times out runs past their deadline. Never waits on a lock:
-- a run locked right now is left to the next sweep.
CREATE FUNCTION ${S}.recover()
RETURNS TABLE (out_leases integer, out_timed_out uuid[]) LANGUAGE plpgsql AS $$
DECLARE
  v_now timestamptz := now();
  v_id uuid;
BEGIN
  WITH due AS (
    SELECT r.id FROM ${S}.runs r
    WHERE r.id IN (SELECT t.run_id FROM ${S}.tasks t WHERE t.status = 'running' AND t.lease_expires_at <= v_now)
    ORDER BY r.id FOR UPDATE SKIP LOCKED),
  freed AS (
    UPDATE ${S}.tasks t SET status = 'ready', ready_at = v_now, run_at = v_now, lease_expires_at = NULL
    FROM due WHERE t.run_id = due.id AND t.status = 'running' AND t.lease_expires_at <= v_now
    RETURNING t.run_id, t.name, t.idx, t.attempts),
  logged AS (
    INSERT INTO ${S}.events (run_id, type, at, task, attempt)
    SELECT f.run_id, 'task:lease_lost', v_now, f.name, f.attempts FROM freed f ORDER BY f.run_id, f.idx)
  SELECT count(*) INTO out_leases FROM freed;
  out_timed_out := ARRAY[]::uuid[];
  FOR v_id IN
    SELECT r.id FROM ${S}.runs r
    WHERE r.deadline_at <= v_now AND r.deadline_at IS NOT NULL AND r.phase = 'active'
    ORDER BY r.id FOR UPDATE SKIP LOCKED
  LOOP
    IF ${S}.finish_run(v_id, 'timed_out', NULL) IS NOT NULL THEN
      out_timed_out := out_timed_out || v_id;
    END IF;
  END LOOP;
  RETURN NEXT;
END $$;
`;
}
