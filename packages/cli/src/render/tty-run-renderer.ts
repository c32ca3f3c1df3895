/** The TTY view as a {@link RunRenderer}: the live tree, then the summary under it. */
import type { RunRecord } from "@flowmesh/core";
import type { RunRenderer } from "./renderer.js";
import { viewFromRecord, type RunView } from "./run-view.js";
import { runSummary } from "./summary.js";
import { TtyRenderer, type TtyOutput } from "./tty-renderer.js";

export class TtyRunRenderer implements RunRenderer {
  /** The in-place renderer; its `logStream()` prints log lines above the tree. */
  readonly tty: TtyRenderer;

  constructor(
    private readonly out: TtyOutput,
    private readonly color: boolean,
  ) {
    this.tty = new TtyRenderer(out, { color });
  }

  begin(view: RunView): void {
    this.tty.start();
    this.tty.update(view);
  }

  event(_event: unknown, view: RunView): void {
    this.tty.update(view);
  }

  end(run: RunRecord, outputs: Record<string, unknown>): void {
    // The record is the truth: it settles anything the events left open.
    this.tty.update(viewFromRecord(run));
    this.tty.stop();
    this.out.write(runSummary(run, outputs, this.color));
  }
}
