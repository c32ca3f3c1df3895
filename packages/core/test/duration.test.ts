import { describe, expect, it } from "vitest";
import { FlowMeshError } from "../src/errors.js";
import { parseDuration, tryParseDuration } from "../src/duration.js";

describe("tryParseDuration", () => {
  it("reads a number as seconds", () => {
    expect(tryParseDuration(3600)).toEqual({ ms: 3_600_000 });
    expect(tryParseDuration(0.25)).toEqual({ ms: 250 });
    expect(tryParseDuration(0)).toEqual({ ms: 0 });
  });

  it("reads strings with each unit", () => {
    expect(tryParseDuration("250ms")).toEqual({ ms: 250 });
    expect(tryParseDuration("30s")).toEqual({ ms: 30_000 });
    expect(tryParseDuration("5m")).toEqual({ ms: 300_000 });
    expect(tryParseDuration("2h")).toEqual({ ms: 7_200_000 });
    expect(tryParseDuration("1d")).toEqual({ ms: 86_400_000 });
  });

  it("reads a bare number in a string as seconds, with decimals and surrounding spaces", () => {
    expect(tryParseDuration("30")).toEqual({ ms: 30_000 });
    expect(tryParseDuration("1.5m")).toEqual({ ms: 90_000 });
    expect(tryParseDuration(".5s")).toEqual({ ms: 500 });
    expect(tryParseDuration(" 10 ms ")).toEqual({ ms: 10 });
  });

  it("rejects negative and non-finite numbers, saying what it received", () => {
    expect(tryParseDuration(-1)).toEqual({ error: "expected a non-negative number of seconds, received -1" });
    expect(tryParseDuration(Number.NaN)).toEqual({
      error: "expected a non-negative number of seconds, received NaN",
    });
    expect(tryParseDuration(Number.POSITIVE_INFINITY)).toHaveProperty("error");
  });

  it("rejects strings with unknown units or no number", () => {
    expect(tryParseDuration("5 minutes")).toEqual({
      error: 'expected a duration such as 30, "250ms", "30s", "5m", "2h" or "1d", received "5 minutes"',
    });
    expect(tryParseDuration("")).toHaveProperty("error");
    expect(tryParseDuration("-5s")).toHaveProperty("error");
  });

  it("rejects other types by name", () => {
    expect(tryParseDuration(true)).toEqual({
      error: 'expected a duration (seconds as a number, or a string like "5m"), received boolean',
    });
    expect(tryParseDuration(undefined)).toHaveProperty("error");
  });
});

describe("parseDuration", () => {
  it("returns milliseconds for a valid duration", () => {
    expect(parseDuration("2h")).toBe(7_200_000);
  });

  it("throws FM_ERR_INVALID_OPTIONS naming the path", () => {
    let error: unknown;
    try {
      parseDuration("soon", "options.timeout");
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(FlowMeshError);
    expect(error).toMatchObject({ code: "FM_ERR_INVALID_OPTIONS", details: { path: "options.timeout" } });
    expect((error as Error).message).toMatch(/^\[flowmesh\] options\.timeout: expected a duration/);
  });
});
