import { describe, expect, it } from "vitest";
import { decodeFinished } from "../src/signal-hub.js";

describe("decodeFinished", () => {
  it("reads a run's end without a result", () => {
    expect(decodeFinished("f|cancelled|run-1")).toEqual({
      type: "run-finished",
      status: "cancelled",
      runId: "run-1",
    });
  });

  it("reads a run's end with its result", () => {
    const reply = ["succeeded", "10", "12", "", "a", '{"n":1}', "b", ""];
    expect(decodeFinished(`f|succeeded|run-2|${JSON.stringify(reply)}`)).toEqual({
      type: "run-finished",
      status: "succeeded",
      runId: "run-2",
      result: {
        status: "succeeded",
        outputs: { a: { n: 1 }, b: undefined },
        startedAt: 10,
        endedAt: 12,
        error: undefined,
      },
    });
  });

  it("leaves out a result that does not decode (the waiters then read it)", () => {
    for (const tail of ["not json", "{}", "[1,2,3,4]", '["failed"]']) {
      expect(decodeFinished(`f|failed|run-3|${tail}`)).toEqual({
        type: "run-finished",
        status: "failed",
        runId: "run-3",
      });
    }
  });
});
