import { describe, expect, it } from "vitest";
import { claimedTasks, countedEntries, outcomeReplies } from "../src/flat-replies.js";

describe("the scripts' flat replies", () => {
  it("cuts a batch reply into counted entries", () => {
    expect(countedEntries([3, 1, 1700, "", 2, 0, "r1", 0])).toEqual([[1, 1700, ""], [0, "r1"], []]);
    expect(countedEntries([])).toEqual([]);
  });

  it("cuts complete's reply into one result per outcome", () => {
    const times = ["succeeded", "10", "12"];
    const result = ["failed", "10", "13", '{"message":"x"}'];
    expect(outcomeReplies([1, 0, 3, ...times, 1, 4, ...result, 0])).toEqual([1, 0, times, 1, result, 0]);
    expect(outcomeReplies([])).toEqual([]);
  });

  it("cuts claim's reply into tasks, each with its own dependency values", () => {
    const fields = (id: string) => [id, 0, "t", "0:1", 1, 1, "wf", "1", '{"in":1}', 5, 30_005];
    const [a, b, c] = claimedTasks([
      0,
      ...fields("a"),
      4,
      ...fields("b"),
      "x",
      '{"v":2}',
      "y",
      "",
      0,
      ...fields("c"),
    ]);
    expect([a?.runId, b?.runId, c?.runId]).toEqual(["a", "b", "c"]);
    expect(a?.deps).toEqual({});
    expect(b?.deps).toEqual({ x: { v: 2 }, y: undefined });
    expect(c).toMatchObject({ index: 0, task: "t", token: "0:1", attempt: 1, roundAttempt: 1, readyAt: 5 });
    expect(c?.input).toEqual({ in: 1 });
    expect(c?.leaseExpiresAt).toBe(30_005);
  });
});
