/**
 * The answers `complete` and `fail` give. The common ones are shared, not
 * built per call: a completion batch answers every task in it, and most of
 * those answers are one of the same few.
 */
import type { TerminalRunStatus } from "@flowmesh/core";
import type { OutcomeResult } from "@flowmesh/core/plugin";

export const LOST: OutcomeResult = Object.freeze({ ok: false, reason: "lease_lost" });
export const OK: OutcomeResult = Object.freeze({ ok: true });

const FINISHED: Readonly<Record<TerminalRunStatus, OutcomeResult>> = Object.freeze({
  succeeded: Object.freeze({ ok: true, runStatus: "succeeded" }),
  failed: Object.freeze({ ok: true, runStatus: "failed" }),
  cancelled: Object.freeze({ ok: true, runStatus: "cancelled" }),
  timed_out: Object.freeze({ ok: true, runStatus: "timed_out" }),
});

/** An outcome that ended its run. */
export function finished(status: TerminalRunStatus): OutcomeResult {
  return FINISHED[status];
}

/** A completion that ended its run: the status, with the run's times (for the worker's log line). */
export function ended(
  status: TerminalRunStatus,
  startedAt: number | null,
  endedAt: number | null,
): OutcomeResult {
  if (endedAt === null) return finished(status);
  return { ok: true, runStatus: status, runTimes: { startedAt: startedAt ?? undefined, endedAt } };
}
