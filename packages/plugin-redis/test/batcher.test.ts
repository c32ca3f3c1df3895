import { describe, expect, it } from "vitest";
import { Batcher } from "../src/batcher.js";

describe("Batcher", () => {
  it("sends the calls of one tick in one batch, results in order", async () => {
    const sent: (string | number)[][] = [];
    const batcher = new Batcher<string>((args) => {
      sent.push(args);
      return Promise.resolve(args.map((a) => `r${a}`));
    });
    expect(await Promise.all([batcher.add([1]), batcher.add([2]), batcher.add([3])])).toEqual([
      "r1",
      "r2",
      "r3",
    ]);
    expect(sent).toEqual([[1, 2, 3]]);
  });

  it("starts a new batch before the arguments would exceed maxArgs, never splitting a call", async () => {
    const sent: (string | number)[][] = [];
    const batcher = new Batcher<number>(
      (args) => {
        sent.push(args);
        const results: number[] = [];
        for (let i = 0; i < args.length; i += 3) results.push(Number(args[i]));
        return Promise.resolve(results);
      },
      256,
      7,
    );
    const calls = [0, 1, 2, 3].map((i) => batcher.add([i, "x", "y"]));
    expect(await Promise.all(calls)).toEqual([0, 1, 2, 3]);
    expect(sent.map((args) => args.length)).toEqual([6, 6]);
    // A single call larger than the limit still goes out whole.
    expect(await batcher.add([9, "a", "b", "c", "d", "e", "f", "g", "h"])).toBe(9);
    expect(sent.map((args) => args.length)).toEqual([6, 6, 9]);
  });
});
