/**
 * Draws the TTY view in place: each frame moves the cursor back to the top
 * of the previous one and rewrites only the lines that changed, in a single
 * write wrapped in the terminal's synchronized-update mode, so nothing
 * flickers. Redrawn on every event, and on a timer while tasks run (their
 * elapsed times tick). Log lines are printed above the frame.
 */
import { Writable } from "node:stream";
import { renderFrame } from "./tty-frame.js";
import type { RunView } from "./run-view.js";

/** The part of a TTY stream the renderer uses. */
export interface TtyOutput {
  write(chunk: string): unknown;
  columns?: number | undefined;
  rows?: number | undefined;
}

/** Options of {@link TtyRenderer}. */
export interface TtyRendererOptions {
  color: boolean;
  /** Redraw period while the run is going (elapsed times, spinner). @default 100 */
  tickMs?: number;
  /** @default Date.now */
  now?: () => number;
}

const ESC = "\x1b[";
const HIDE_CURSOR = `${ESC}?25l`;
const SHOW_CURSOR = `${ESC}?25h`;
const CLEAR_LINE = `${ESC}2K`;
const CLEAR_DOWN = `${ESC}J`;
// Terminals that know mode 2026 show the whole frame at once; others ignore it.
const BEGIN_SYNC = `${ESC}?2026h`;
const END_SYNC = `${ESC}?2026l`;

export class TtyRenderer {
  private lines: string[] = [];
  private view: RunView | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly now: () => number;

  constructor(
    private readonly out: TtyOutput,
    private readonly options: TtyRendererOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Hides the cursor and starts the redraw timer. */
  start(): void {
    this.out.write(HIDE_CURSOR);
    this.timer = setInterval(() => this.draw(), this.options.tickMs ?? 100);
    this.timer.unref();
  }

  /** Shows this state of the run. */
  update(view: RunView): void {
    this.view = view;
    this.draw();
  }

  /** Prints text (a log line) above the frame, then draws the frame again below it. */
  printAbove(text: string, to: TtyOutput = this.out): void {
    if (this.stopped || this.lines.length === 0) {
      to.write(text);
      return;
    }
    this.out.write(`${BEGIN_SYNC}${this.cursorToTop()}${CLEAR_DOWN}`);
    this.lines = [];
    to.write(text.endsWith("\n") ? text : `${text}\n`);
    this.draw();
    this.out.write(END_SYNC);
  }

  /** A stream for the logger: each line goes above the frame. */
  logStream(to: TtyOutput): Writable {
    return new Writable({
      write: (chunk: Buffer | string, _encoding, done) => {
        this.printAbove(chunk.toString(), to);
        done();
      },
    });
  }

  /** Draws the last frame, stops the timer and shows the cursor again; the frame stays on screen. */
  stop(): void {
    if (this.stopped) return;
    this.draw();
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.out.write(SHOW_CURSOR);
  }

  /** Writes what changed since the last frame; nothing when nothing did. */
  draw(): void {
    if (this.stopped || this.view === undefined) return;
    const next = renderFrame(this.view, {
      now: this.now(),
      color: this.options.color,
      columns: this.out.columns ?? 80,
      rows: this.out.rows ?? 24,
    });
    const output = frameUpdate(this.lines, next);
    this.lines = next;
    if (output !== "") this.out.write(output);
  }

  private cursorToTop(): string {
    return this.lines.length === 0 ? "\r" : `\r${ESC}${this.lines.length}A`;
  }
}

/**
 * The escape codes and text that turn the previous frame (cursor on the line
 * below it) into the next: changed lines are cleared and rewritten, unchanged
 * ones skipped, leftover lines cleared. Empty when the frames are equal.
 */
export function frameUpdate(previous: readonly string[], next: readonly string[]): string {
  if (previous.length === next.length && previous.every((line, i) => line === next[i])) return "";
  let out = BEGIN_SYNC + (previous.length === 0 ? "" : `\r${ESC}${previous.length}A`);
  next.forEach((line, i) => {
    out += i < previous.length && previous[i] === line ? "\n" : `${CLEAR_LINE}${line}\n`;
  });
  if (next.length < previous.length) out += CLEAR_DOWN;
  return out + END_SYNC;
}
