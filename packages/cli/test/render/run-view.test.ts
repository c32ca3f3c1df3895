import { describe, expect, it } from "vitest";
import { applyEvent, isRunFinished, viewFromRecord } from "../../src/render/run-view.js";
import { event, record, successLog, T0 } from "./events.js";

describe("the run view model", () => {
  it("orders tasks topologically with their depth in the graph", () => {
    const view = viewFromRecord(record());
    expect(view.tasks.map((t) => [t.name, t.depth])).toEqual([
      ["extract", 0],
      ["transform", 1],
      ["audit", 1],
      ["load", 2],
    ]);
    expect(view.tasks.every((t) => t.status === "pending" && t.attempt === 0)).toBe(true);
  });

  it("follows each event: running, retrying with its error, attempts, durations, the run's end", () => {
    const log = successLog();
    let view = viewFromRecord(record());
    const states: string[] = [];
    for (const e of log) {
      view = applyEvent(view, e);
      const audit = view.tasks[2]!;
      states.push(`${audit.status}#${audit.attempt}`);
    }
    expect(states).toContain("retrying#1");
    expect(states).toContain("running#2");
    const audit = view.tasks[2]!;
    expect(audit).toMatchObject({ status: "succeeded", attempt: 2, durationMs: 1_200 });
    expect(view.status).toBe("succeeded");
    expect(view.startedAt).toBe(T0 + 5);
    expect(view.endedAt).toBe(T0 + 1_701);
    expect(isRunFinished(view.status)).toBe(true);
  });

  it("keeps the last error of a retrying task and marks unfinished tasks cancelled when the run is cancelled", () => {
    let view = viewFromRecord(record());
    for (const e of successLog().slice(0, 7)) view = applyEvent(view, e);
    expect(view.tasks[2]).toMatchObject({ status: "retrying", error: "503 from upstream\nat line 2" });
    view = applyEvent(view, event("run:cancelled", 300, { error: { name: "Error", message: "stopped" } }));
    expect(view.status).toBe("cancelled");
    expect(view.error).toEqual({ message: "stopped" });
    expect(view.tasks.map((t) => t.status)).toEqual(["succeeded", "cancelled", "cancelled", "cancelled"]);
  });

  it("marks upstream_failed and lease_lost tasks", () => {
    let view = viewFromRecord(record());
    view = applyEvent(view, event("task:upstream_failed", 10, { task: "load" }));
    view = applyEvent(view, event("task:started", 10, { task: "extract", attempt: 1 }));
    view = applyEvent(view, event("task:lease_lost", 20, { task: "extract", attempt: 1 }));
    expect(view.tasks[3]!.status).toBe("upstream_failed");
    expect(view.tasks[0]!.status).toBe("ready");
    // A task event alone moves a pending run to running.
    expect(view.status).toBe("running");
  });

  it("does not change the view it was given", () => {
    const before = viewFromRecord(record());
    const snapshot = JSON.stringify(before);
    applyEvent(before, successLog()[2]!);
    expect(JSON.stringify(before)).toBe(snapshot);
  });
});
