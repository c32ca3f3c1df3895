/** What `flowmesh run` hands a view: the run at the start, each event of its log, the final record. */
import type { RunEvent, RunRecord } from "@flowmesh/core";
import type { RunView } from "./run-view.js";

/** A way of showing a run: the TTY tree, one line per event, or NDJSON. */
export interface RunRenderer {
  /** The run as created (tasks known, nothing run yet or a little). */
  begin(view: RunView): void;
  /** One event of the run's log, and the view after it. */
  event(event: RunEvent, view: RunView): void;
  /** The run ended: its final record and outputs (empty unless it succeeded). */
  end(run: RunRecord, outputs: Record<string, unknown>): void;
}
