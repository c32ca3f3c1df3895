/**
 * A run's event log is a Redis stream. Most entries are one event; an entry
 * may carry two, written by one XADD where two would cost twice: `p` names a
 * run event that comes just before the entry's own (`run:started` before the
 * first `task:started`), `f` one just after (`run:succeeded` after the last
 * `task:succeeded`). The first event of an entry has the entry's id
 * (`1700000000000-0`), the second that id with `-1` appended (ids compare as dash-separated numbers); both resume
 * exactly, like any id.
 */
import { FlowMeshError, type RunEvent, type RunEventType } from "@flowmesh/core";
import { pairs } from "./codec.js";

const EVENT_ID = /^(\d+-\d+)(-1)?$/;

/** Where to resume reading a run's stream after an event id. */
export interface EventCursor {
  /** XRANGE's start: inclusive when the entry's second event may still be due. */
  readonly start: string;
  /** The id of an event already delivered in the start entry, dropped from the reply; else undefined. */
  readonly skip: string | undefined;
}

/** Parses `after` (an event id from {@link decodeEvents}); a clear error for anything else. */
export function eventCursor(runId: string, after: string | undefined): EventCursor {
  if (after === undefined) return { start: "-", skip: undefined };
  const match = EVENT_ID.exec(after);
  if (match === null) {
    throw new FlowMeshError(
      "FM_ERR_INVALID_OPTIONS",
      `readEvents: "after" must be an event id from this run (like "1700000000000-0"), received ${JSON.stringify(after)}`,
      { details: { path: "after", runId } },
    );
  }
  // After an entry's second event: the next entry. After its first: the entry again, minus that event.
  return match[2] === undefined
    ? { start: match[1]!, skip: after }
    : { start: `(${match[1]!}`, skip: undefined };
}

/** Stream entries (as XRANGE returns them) to events, in order, dropping `skip`. */
export function decodeEvents(
  runId: string,
  entries: readonly [id: string, fields: string[]][],
  skip: string | undefined,
): RunEvent[] {
  const events: RunEvent[] = [];
  for (const [id, fields] of entries) {
    const at = Number(id.slice(0, id.indexOf("-")));
    const f = pairs(fields);
    const own = taskEvent(runId, id, at, f);
    if (f.p !== undefined) {
      events.push({ id, runId, type: f.p as RunEventType, at });
      own.id = `${id}-1`;
      events.push(own);
    } else {
      events.push(own);
      if (f.f !== undefined) events.push({ id: `${id}-1`, runId, type: f.f as RunEventType, at });
    }
  }
  return skip !== undefined && events[0]?.id === skip ? events.slice(1) : events;
}

function taskEvent(runId: string, id: string, at: number, f: Record<string, string>): RunEvent {
  const event: RunEvent = { id, runId, type: f.t as RunEventType, at };
  if (f.k !== undefined) {
    event.task = f.k;
    event.attempt = Number(f.a ?? 0);
  }
  if (f.d !== undefined) event.durationMs = Number(f.d);
  if (f.e !== undefined) event.error = JSON.parse(f.e) as RunEvent["error"];
  return event;
}
