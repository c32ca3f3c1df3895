/* eslint-disable no-control-regex -- ANSI escape codes are what these tests check */
import { describe, expect, it } from "vitest";
import { renderFrame } from "../../src/render/tty-frame.js";
import { applyEvent, viewFromRecord, type RunView } from "../../src/render/run-view.js";
import { record, successLog, T0 } from "./events.js";

/** The view after the first `n` events of the log. */
function after(n: number): RunView {
  return successLog().slice(0, n).reduce(applyEvent, viewFromRecord(record()));
}

describe("TTY frames", () => {
  it("draws the task tree indented by depth, with status, attempt and duration", () => {
    const frame = renderFrame(after(7), { now: T0 + 300, columns: 100 });
    expect(frame).toHaveLength(5);
    expect(frame[0]).toMatch(/^. etl v1 {2}running {2}295ms {2}run run-1$/);
    expect(frame[1]).toMatch(/^ {2}✔ extract\s+succeeded\s+attempt 1\s+120ms$/);
    // Depth 1 tasks are indented under extract; a running task shows its elapsed time.
    expect(frame[2]).toMatch(/^ {4}\S transform\s+running\s+attempt 1\s+174ms$/);
    expect(frame[3]).toMatch(/^ {4}↻ audit\s+retrying\s+attempt 1\s+74ms {2}503 from upstream …$/);
    expect(frame[4]).toMatch(/^ {6}○ load\s+pending$/);
  });

  it("ticks the elapsed time of running tasks as time passes, nothing else", () => {
    const view = after(8);
    const early = renderFrame(view, { now: T0 + 500, columns: 100 });
    const later = renderFrame(view, { now: T0 + 2_500, columns: 100 });
    expect(early[2]).toContain("374ms");
    expect(later[2]).toContain("2.4s");
    expect(later[1]).toBe(early[1]);
  });

  it("shows the final state with every duration once the run has ended", () => {
    const frame = renderFrame(after(13), { now: T0 + 99_999, columns: 100 });
    expect(frame[0]).toMatch(/^✔ etl v1 {2}succeeded {2}1\.7s {2}run run-1$/);
    expect(frame.slice(1).map((line) => line.trim().split(/\s+/)[0])).toEqual(["✔", "✔", "✔", "✔"]);
    expect(frame[3]).toMatch(/audit\s+succeeded\s+attempt 2\s+1\.2s$/);
  });

  it("cuts lines to the terminal width so they never wrap", () => {
    const frame = renderFrame(after(7), { now: T0 + 300, columns: 30 });
    for (const line of frame) expect([...line].length).toBeLessThanOrEqual(30);
    expect(frame[3]).toMatch(/…$/);
  });

  it("fits a frame taller than the terminal with a summary line", () => {
    const frame = renderFrame(after(7), { now: T0 + 300, rows: 4, columns: 100 });
    expect(frame).toHaveLength(3);
    expect(frame[2]).toMatch(/… 3 more tasks: 1 running, 0 failed, 0 succeeded/);
  });

  it("colours icons only when asked", () => {
    const plain = renderFrame(after(13), { now: T0, columns: 100 });
    const colored = renderFrame(after(13), { now: T0, columns: 100, color: true });
    expect(plain.join("\n")).not.toContain("\x1b[");
    expect(colored[1]).toContain("\x1b[32m✔\x1b[39m");
    expect(colored[1]!.replace(/\x1b\[\d+m/g, "")).toBe(plain[1]);
  });
});
