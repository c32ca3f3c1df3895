/**
 * Waiters of `wait()`/`result()`: released with the run's end without a
 * second read when one is already in flight or already brought the result.
 */
import { describe, expect, it } from "vitest";
import type { RunResult } from "../../src/plugin.js";
import { RunWaiters } from "../../src/engine/run-waiters.js";

const RUNNING: RunResult = { status: "running", outputs: {} };
const DONE: RunResult = { status: "succeeded", outputs: { t: 1 } };

/** A read the test answers by hand, counting calls. */
function manualReads(): {
  read: (id: string) => Promise<RunResult | undefined>;
  answer(r: RunResult): void;
  calls: number;
} {
  const pending: ((r: RunResult) => void)[] = [];
  const reads = {
    calls: 0,
    read: () => {
      reads.calls++;
      return new Promise<RunResult | undefined>((resolve) => pending.push(resolve));
    },
    answer: (r: RunResult) => pending.shift()!(r),
  };
  return reads;
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("RunWaiters", () => {
  it("an end that arrives while the waiter's read is in flight waits for that read when it sees the end", async () => {
    const reads = manualReads();
    const waiters = new RunWaiters(reads.read);
    const result = waiters.wait("r");
    waiters.release("r");
    reads.answer(DONE);
    expect(await result).toEqual(DONE);
    expect(reads.calls).toBe(1);
  });

  it("reads again when the read in flight was answered before the end (run still running)", async () => {
    const reads = manualReads();
    const waiters = new RunWaiters(reads.read);
    const result = waiters.wait("r");
    waiters.release("r");
    reads.answer(RUNNING);
    await turn();
    expect(reads.calls).toBe(2);
    reads.answer(DONE);
    expect(await result).toEqual(DONE);
  });

  it("keeps the ended result a read brought while the run was held, and hands it out on release", async () => {
    const reads = manualReads();
    const waiters = new RunWaiters(reads.read);
    waiters.hold("r");
    let settled = false;
    const result = waiters.wait("r").then((r) => ((settled = true), r));
    reads.answer(DONE);
    await turn();
    // Held: end-of-run hooks still running.
    expect(settled).toBe(false);
    expect(waiters.releaseHeld("r")).toBe(true);
    expect(await result).toEqual(DONE);
    expect(reads.calls).toBe(1);
  });

  it("a release with the result known reads nothing more", async () => {
    const reads = manualReads();
    const waiters = new RunWaiters(reads.read);
    const result = waiters.wait("r");
    waiters.release("r", DONE);
    expect(await result).toEqual(DONE);
    expect(reads.calls).toBe(1);
  });
});
