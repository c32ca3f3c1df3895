import { describe, expect, it } from "vitest";
import type { RunRecord } from "@flowmesh/core";
import { JsonRenderer } from "../../src/render/json-renderer.js";
import { eventLine, LineRenderer } from "../../src/render/line-renderer.js";
import { viewFromRecord } from "../../src/render/run-view.js";
import { formatDuration, truncate, colorEnabled } from "../../src/render/format.js";
import { record, successLog, T0 } from "./events.js";

function finalRecord(status: RunRecord["status"]): RunRecord {
  return {
    ...record(),
    status,
    startedAt: T0,
    endedAt: T0 + 1_700,
    ...(status === "failed"
      ? { error: { name: "Error", message: "boom", task: "audit", stack: "at x" } }
      : {}),
  };
}

describe("line and NDJSON output", () => {
  it("prints one line per event with its offset, task, attempt, duration and error", () => {
    const log = successLog();
    expect(eventLine(log[2]!, T0)).toBe("+0.005s  task:started          extract  attempt 1");
    expect(eventLine(log[6]!, T0)).toBe(
      "+0.200s  task:retrying         audit  attempt 1  74ms  Error: 503 from upstream …",
    );
    expect(eventLine(log[12]!, T0)).toBe("+1.701s  run:succeeded");
  });

  it("LineRenderer writes a header, each event, then the outputs", () => {
    const out: string[] = [];
    const renderer = new LineRenderer({ write: (chunk) => out.push(chunk) });
    renderer.begin(viewFromRecord(record()));
    for (const e of successLog()) renderer.event(e);
    renderer.end(finalRecord("succeeded"), { load: 42 });
    const text = out.join("");
    expect(text.split("\n")[0]).toBe("run run-1: etl v1, 4 tasks");
    expect(text.split("\n").filter((line) => line.startsWith("+"))).toHaveLength(successLog().length);
    expect(text).toContain('✔ etl succeeded in 1.7s (run run-1)\noutputs:\n{\n  "load": 42\n}');
  });

  it("JsonRenderer writes each event as JSON and a result line without stack traces", () => {
    const out: string[] = [];
    const renderer = new JsonRenderer({ write: (chunk) => out.push(chunk) });
    renderer.begin();
    for (const e of successLog()) renderer.event(e);
    renderer.end(finalRecord("failed"), {});
    const lines = out
      .join("")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(successLog().length + 1);
    expect(lines[2]).toMatchObject({ type: "task:started", task: "extract", attempt: 1 });
    expect(lines.at(-1)).toEqual({
      type: "result",
      runId: "run-1",
      workflow: "etl",
      version: "1",
      status: "failed",
      outputs: {},
      error: { name: "Error", message: "boom", task: "audit" },
      durationMs: 1_700,
    });
  });

  it("formats durations and widths", () => {
    expect([0, 999, 1_000, 59_940, 61_000, 3_720_000].map(formatDuration)).toEqual([
      "0ms",
      "999ms",
      "1.0s",
      "59.9s",
      "1m 01s",
      "1h 02m",
    ]);
    expect(truncate("abcdef", 4)).toBe("abc…");
    expect(truncate("abc", 4)).toBe("abc");
  });

  it("turns colours on for terminals unless NO_COLOR, and FORCE_COLOR decides when set", () => {
    expect(colorEnabled(true, {})).toBe(true);
    expect(colorEnabled(false, {})).toBe(false);
    expect(colorEnabled(true, { NO_COLOR: "1" })).toBe(false);
    expect(colorEnabled(false, { FORCE_COLOR: "1" })).toBe(true);
    expect(colorEnabled(true, { FORCE_COLOR: "0" })).toBe(false);
    expect(colorEnabled(true, { TERM: "dumb" })).toBe(false);
  });
});
