/** Cancellations racing the claims in flight: dropped from the claims sent before them, and forgotten after. */
import { describe, expect, it } from "vitest";
import type { ClaimedTask } from "../../src/plugin.js";
import { ClaimFence } from "../../src/engine/claim-fence.js";

const task = (runId: string): ClaimedTask =>
  ({ runId, task: "t", token: "1", index: 0 }) as unknown as ClaimedTask;

describe("ClaimFence", () => {
  it("drops a run's tasks from a claim sent before its cancel, not from one sent after", () => {
    const fence = new ClaimFence();
    const before = fence.send();
    fence.cancel("r1");
    const after = fence.send();
    expect(fence.land(before, [task("r1"), task("r2")]).map((t) => t.runId)).toEqual(["r2"]);
    expect(fence.land(after, [task("r1")]).map((t) => t.runId)).toEqual(["r1"]);
  });

  it("remembers a cancel only while a claim sent before it is in flight", () => {
    const fence = new ClaimFence();
    // Nothing in flight: nothing can bring the run back, nothing is kept.
    fence.cancel("idle");
    const seq = fence.send();
    expect(fence.land(seq, [task("idle")]).map((t) => t.runId)).toEqual(["idle"]);
    // Two in flight: the cancel outlives the first to land, not the second.
    const a = fence.send();
    const b = fence.send();
    fence.cancel("r");
    expect(fence.land(a, [task("r")])).toEqual([]);
    expect(fence.land(b, [task("r")])).toEqual([]);
    const c = fence.send();
    expect(fence.land(c, [task("r")]).map((t) => t.runId)).toEqual(["r"]);
  });

  it("a failed claim (no tasks) still lands, so later cancels are not kept for it", () => {
    const fence = new ClaimFence();
    const failed = fence.send();
    fence.land(failed, []);
    fence.cancel("r");
    const next = fence.send();
    expect(fence.land(next, [task("r")]).map((t) => t.runId)).toEqual(["r"]);
  });
});
