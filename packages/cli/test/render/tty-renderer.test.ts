/* eslint-disable no-control-regex -- ANSI escape codes are what these tests check */
import { afterEach, describe, expect, it, vi } from "vitest";
import { frameUpdate, TtyRenderer } from "../../src/render/tty-renderer.js";
import { applyEvent, viewFromRecord } from "../../src/render/run-view.js";
import { record, successLog, T0 } from "./events.js";

const strip = (text: string) => text.replace(/\x1b\[\?2026[hl]/g, "");

/** A fake terminal that records what was written. */
function terminal() {
  const chunks: string[] = [];
  return { out: { write: (chunk: string) => chunks.push(chunk), columns: 100, rows: 30 }, chunks };
}

describe("drawing frames in place", () => {
  afterEach(() => vi.useRealTimers());

  it("writes the first frame as is, then moves up and rewrites only the changed lines", () => {
    expect(strip(frameUpdate([], ["a", "b"]))).toBe("\x1b[2Ka\n\x1b[2Kb\n");
    // Back to the top (2 lines up), skip the unchanged first line, rewrite the second.
    expect(strip(frameUpdate(["a", "b"], ["a", "B"]))).toBe("\r\x1b[2A\n\x1b[2KB\n");
    // A shorter frame clears what is left below.
    expect(strip(frameUpdate(["a", "b", "c"], ["a"]))).toBe("\r\x1b[3A\n\x1b[J");
    expect(frameUpdate(["a"], ["a"])).toBe("");
  });

  it("wraps each update in synchronized output so the terminal shows it at once", () => {
    const update = frameUpdate(["a"], ["b"]);
    expect(update.startsWith("\x1b[?2026h")).toBe(true);
    expect(update.endsWith("\x1b[?2026l")).toBe(true);
  });

  it("renders a run from its events, hiding the cursor and showing it again at the end", () => {
    vi.useFakeTimers({ now: T0 });
    const { out, chunks } = terminal();
    const renderer = new TtyRenderer(out, { color: false, now: () => Date.now() });
    renderer.start();
    let view = viewFromRecord(record());
    renderer.update(view);
    for (const e of successLog()) {
      vi.setSystemTime(e.at);
      view = applyEvent(view, e);
      renderer.update(view);
    }
    renderer.stop();
    const output = chunks.join("");
    expect(output.startsWith("\x1b[?25l")).toBe(true);
    expect(output.endsWith("\x1b[?25h")).toBe(true);
    // Every redraw goes back up exactly the 5 lines of the previous frame.
    const ups = output.match(/\x1b\[(\d+)A/g) ?? [];
    expect(ups.length).toBeGreaterThan(5);
    expect(new Set(ups)).toEqual(new Set(["\x1b[5A"]));
    // Replaying the output on a 5-line screen leaves the final frame.
    expect(replay(output)).toEqual([
      "✔ etl v1  succeeded  1.7s  run run-1",
      expect.stringMatching(/^ {2}✔ extract\s+succeeded\s+attempt 1\s+120ms$/),
      expect.stringMatching(/^ {4}✔ transform\s+succeeded\s+attempt 1\s+1\.4s$/),
      expect.stringMatching(/^ {4}✔ audit\s+succeeded\s+attempt 2\s+1\.2s$/),
      expect.stringMatching(/^ {6}✔ load\s+succeeded\s+attempt 1\s+99ms$/),
    ]);
  });

  it("redraws on a timer while tasks run, and writes nothing when nothing changed", () => {
    vi.useFakeTimers({ now: T0 });
    const { out, chunks } = terminal();
    const renderer = new TtyRenderer(out, { color: false, tickMs: 100 });
    renderer.start();
    renderer.update(successLog().slice(0, 3).reduce(applyEvent, viewFromRecord(record())));
    const before = chunks.length;
    vi.advanceTimersByTime(1_000);
    expect(chunks.length).toBeGreaterThan(before);
    renderer.stop();
    const stopped = chunks.length;
    vi.advanceTimersByTime(1_000);
    expect(chunks.length).toBe(stopped);
  });

  it("prints log lines above the frame and draws the frame again below them", () => {
    const { out, chunks } = terminal();
    const logs: string[] = [];
    const renderer = new TtyRenderer(out, { color: false, now: () => T0 + 10 });
    renderer.update(viewFromRecord(record()));
    renderer.printAbove('{"level":"warn"}\n', { write: (chunk: string) => logs.push(chunk) });
    expect(logs).toEqual(['{"level":"warn"}\n']);
    const lastDraw = strip(chunks.slice(-2).join(""));
    expect(lastDraw.startsWith("\x1b[2K")).toBe(true);
    expect(strip(chunks.at(-3)!)).toBe("\r\x1b[5A\x1b[J");
  });
});

/** A tiny terminal emulator for the codes the renderer uses: returns the screen's lines. */
function replay(output: string): string[] {
  const screen: string[] = [];
  let row = 0;
  const text = output.replace(/\x1b\[\?\d+[hl]/g, "");
  for (let i = 0; i < text.length;) {
    const csi = /^\x1b\[(\d*)([A-Za-z])/.exec(text.slice(i));
    if (csi !== null) {
      const n = Number(csi[1] || "1");
      if (csi[2] === "A") row = Math.max(0, row - n);
      else if (csi[2] === "K") screen[row] = "";
      else if (csi[2] === "J") screen.length = row;
      i += csi[0].length;
      continue;
    }
    const ch = text[i]!;
    if (ch === "\n") row += 1;
    else if (ch !== "\r") screen[row] = (screen[row] ?? "") + ch;
    i += 1;
  }
  return screen.filter((line) => line !== undefined && line !== "");
}
