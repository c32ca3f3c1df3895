/** Migration 1, part one: tables and indexes. `S` is the quoted schema. */
export function tablesSql(S: string): string {
  return `
CREATE TABLE ${S}.runs (
  id              uuid PRIMARY KEY,
  namespace       text NOT NULL DEFAULT 'default',
  workflow        text NOT NULL,
  version         text NOT NULL,
  status          text NOT NULL CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out')),
  -- What the indexes key on instead of status: 'active' while pending or running, then the final status.
  -- Starting a run (pending -> running) so changes no indexed column: a HOT update, no index entries.
  phase           text NOT NULL GENERATED ALWAYS AS
    (CASE WHEN status IN ('pending', 'running') THEN 'active' ELSE status END) STORED,
  input           json,
  error           json,
  idempotency_key text,
  request_hash    text,
  started_by      text,
  created_at      timestamptz NOT NULL,
  started_at      timestamptz,
  ended_at        timestamptz,
  deadline_at     timestamptz,
  timeout_ms      double precision,
  -- Tasks not done yet: the run settles when it reaches 0.
  remaining       integer NOT NULL
-- Room on each page for the HOT update that starts a run: a claim starts a page's worth of runs in one
-- transaction, and each new version is 8 bytes longer (started_at). With 25 % free only about a third
-- of them fit on their page (the rest wrote an entry in every index below); with 55 % free all do.
) WITH (fillfactor = 45);
CREATE UNIQUE INDEX runs_idempotency_key ON ${S}.runs (idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX runs_created ON ${S}.runs (created_at DESC, id DESC);
CREATE INDEX runs_workflow ON ${S}.runs (workflow, created_at DESC, id DESC);
CREATE INDEX runs_status ON ${S}.runs (phase, created_at DESC, id DESC);
CREATE INDEX runs_namespace ON ${S}.runs (namespace, created_at DESC, id DESC);
CREATE INDEX runs_ended ON ${S}.runs (ended_at) WHERE ended_at IS NOT NULL;
CREATE INDEX runs_deadline ON ${S}.runs (deadline_at) WHERE deadline_at IS NOT NULL AND phase = 'active';

CREATE TABLE ${S}.tasks (
  run_id           uuid NOT NULL,
  name             text NOT NULL,
  idx              integer NOT NULL,
  status           text NOT NULL CHECK (status IN ('pending', 'ready', 'running', 'retrying', 'succeeded', 'skipped', 'failed', 'upstream_failed', 'cancelled')),
  priority         integer NOT NULL,
  depends_on       text[] NOT NULL,
  dependents       text[] NOT NULL,
  -- Dependencies not succeeded yet: the task becomes ready when it reaches 0.
  pending_deps     integer NOT NULL,
  attempts         integer NOT NULL DEFAULT 0,
  first_attempt    integer NOT NULL DEFAULT 1,
  -- Lease counter: bumped by every claim, it is the fencing token.
  lease            bigint NOT NULL DEFAULT 0,
  worker           text,
  output           json,
  error            json,
  ready_at         timestamptz,
  -- When a ready or retrying task becomes claimable.
  run_at           timestamptz,
  started_at       timestamptz,
  ended_at         timestamptz,
  lease_expires_at timestamptz,
  duration_ms      double precision,
  PRIMARY KEY (run_id, name)
) WITH (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
-- The claim queue: only claimable tasks are in it.
CREATE INDEX tasks_queue ON ${S}.tasks (priority DESC, run_at) WHERE status IN ('ready', 'retrying');
-- The recovery sweep: only leased tasks are in it.
CREATE INDEX tasks_leases ON ${S}.tasks (lease_expires_at) WHERE status = 'running';

CREATE TABLE ${S}.events (
  id          bigserial NOT NULL,
  run_id      uuid NOT NULL,
  type        text NOT NULL,
  at          timestamptz NOT NULL,
  task        text,
  attempt     integer,
  duration_ms double precision,
  error       json,
  PRIMARY KEY (run_id, id)
) WITH (autovacuum_vacuum_scale_factor = 0.05);
`;
}
