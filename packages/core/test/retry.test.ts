import { describe, expect, it } from "vitest";
import { NonRetryableError } from "../src/errors.js";
import { computeBackoffMs, shouldRetry } from "../src/retry.js";
import type { RetryPolicy } from "../src/types.js";

const policy = (overrides: Partial<RetryPolicy> = {}): RetryPolicy => ({
  maxRetries: 3,
  baseDelayMs: 100,
  exponentialBase: 2,
  maxDelayMs: 60_000,
  jitter: false,
  ...overrides,
});

describe("computeBackoffMs", () => {
  it("waits baseDelay before the first retry and grows by exponentialBase per retry", () => {
    const delays = [1, 2, 3, 4].map((n) => computeBackoffMs(policy(), n));
    expect(delays).toEqual([100, 200, 400, 800]);
  });

  it("uses the configured exponential base", () => {
    expect(computeBackoffMs(policy({ exponentialBase: 3 }), 3)).toBe(900);
    expect(computeBackoffMs(policy({ exponentialBase: 1 }), 5)).toBe(100);
  });

  it("caps each delay at maxDelay, even when the power overflows", () => {
    const capped = policy({ maxDelayMs: 1_000 });
    expect(computeBackoffMs(capped, 4)).toBe(800);
    expect(computeBackoffMs(capped, 5)).toBe(1_000);
    expect(computeBackoffMs(capped, 5_000)).toBe(1_000);
  });

  it("returns 0 when the base delay is 0, however many retries", () => {
    expect(computeBackoffMs(policy({ baseDelayMs: 0 }), 2_000)).toBe(0);
  });

  it("treats retry numbers below 1 as the first retry", () => {
    expect(computeBackoffMs(policy(), 0)).toBe(100);
  });

  it("with jitter, draws the delay uniformly from [0, delay] using the random source", () => {
    const jittered = policy({ jitter: true });
    expect(computeBackoffMs(jittered, 3, () => 0)).toBe(0);
    expect(computeBackoffMs(jittered, 3, () => 0.5)).toBe(200);
    expect(computeBackoffMs(jittered, 3, () => 0.999_999)).toBe(400);
  });

  it("with jitter, stays within [0, maxDelay] at the cap", () => {
    const jittered = policy({ jitter: true, maxDelayMs: 1_000 });
    expect(computeBackoffMs(jittered, 30, () => 0.25)).toBe(250);
    for (let n = 1; n < 40; n++) {
      const delay = computeBackoffMs(jittered, n);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(1_000);
    }
  });

  it("clamps a random source that strays outside [0, 1)", () => {
    const jittered = policy({ jitter: true });
    expect(computeBackoffMs(jittered, 1, () => 7)).toBe(100);
    expect(computeBackoffMs(jittered, 1, () => -1)).toBe(0);
  });
});

describe("shouldRetry", () => {
  it("retries failed attempts up to maxRetries and gives up after", () => {
    const decisions = [1, 2, 3, 4].map((attempt) => shouldRetry(policy(), attempt, new Error("boom")));
    expect(decisions).toEqual([true, true, true, false]);
  });

  it("never retries when maxRetries is 0", () => {
    expect(shouldRetry(policy({ maxRetries: 0 }), 1, new Error("boom"))).toBe(false);
  });

  it("stops at once on a NonRetryableError", () => {
    expect(shouldRetry(policy(), 1, new NonRetryableError("bad input"))).toBe(false);
  });

  it("stops at once on a serialized error marked retryable: false", () => {
    expect(shouldRetry(policy(), 1, { name: "Error", message: "bad", retryable: false })).toBe(false);
    expect(shouldRetry(policy(), 1, { name: "Error", message: "flaky" })).toBe(true);
  });
});
