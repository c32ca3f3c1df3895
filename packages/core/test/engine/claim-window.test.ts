/**
 * The worker's prefetch buffer sized in time, between a floor and a cap: it
 * doubles per sample while slots find it empty with work queued, and eases
 * back towards two claim round trips of starts; a prefetch the user set stays
 * fixed.
 */
import { describe, expect, it } from "vitest";
import { ClaimWindow, MAX_ADAPTIVE_PREFETCH } from "../../src/engine/claim-window.js";

/** A window on a clock the test moves. */
function windowAt(concurrency: number): { window: ClaimWindow; advance(ms: number): void } {
  let now = 1_000;
  return {
    window: ClaimWindow.adaptive(concurrency, () => now),
    advance: (ms) => (now += ms),
  };
}

/**
 * `rate` starts per ms for `ms`, with claims answered after `rttMs` every
 * `rttMs`; `underruns`: a slot finds the buffer empty every round trip.
 */
function run(
  clock: ReturnType<typeof windowAt>,
  rate: number,
  rttMs: number,
  ms: number,
  underruns = false,
): void {
  for (let t = 0; t < ms; t += rttMs) {
    for (let i = 0; i < rate * rttMs; i++) clock.window.started();
    if (underruns) clock.window.underrun();
    clock.advance(rttMs);
    clock.window.answered(rttMs);
  }
}

describe("ClaimWindow", () => {
  it("starts at the floor, min(4 × concurrency, 32)", () => {
    expect(windowAt(2).window.size).toBe(8);
    expect(windowAt(10).window.size).toBe(32);
    expect(windowAt(100).window.size).toBe(32);
  });

  it("grows to two round trips of starts: 10 tasks/ms on a 5 ms round trip keep 100 ahead", () => {
    const clock = windowAt(10);
    run(clock, 10, 5, 500);
    expect(clock.window.size).toBe(100);
  });

  it("stays at the floor for slow tasks, and is capped for quick ones on a slow round trip", () => {
    const slow = windowAt(10);
    run(slow, 0.01, 5, 500);
    expect(slow.window.size).toBe(32);
    const quick = windowAt(10);
    run(quick, 50, 50, 1_000);
    expect(quick.window.size).toBe(MAX_ADAPTIVE_PREFETCH);
  });

  it("doubles once per sample while slots find it empty with work queued, up to the cap", () => {
    const clock = windowAt(10);
    run(clock, 1, 5, 50, true);
    expect(clock.window.size).toBe(64);
    run(clock, 1, 5, 50, true);
    expect(clock.window.size).toBe(128);
    run(clock, 1, 5, 2_000, true);
    expect(clock.window.size).toBe(MAX_ADAPTIVE_PREFETCH);
  });

  it("eases back by a tenth per sample without underruns, down to what the rate wants, then the floor", () => {
    const clock = windowAt(10);
    run(clock, 1, 5, 300, true);
    expect(clock.window.size).toBe(1024);
    run(clock, 1, 5, 50);
    expect(clock.window.size).toBe(921);
    // 1 task/ms on a 5 ms round trip wants 10: under the floor.
    run(clock, 1, 5, 5_000);
    expect(clock.window.size).toBe(32);
  });

  it("shrinks after an idle spell: idle time counts in the rate", () => {
    const clock = windowAt(10);
    run(clock, 10, 5, 500);
    expect(clock.window.size).toBe(100);
    clock.advance(10_000);
    clock.window.answered(5);
    expect(clock.window.size).toBe(90);
    run(clock, 0, 5, 2_000);
    expect(clock.window.size).toBe(32);
  });

  it("waits for a sample of at least 50 ms before trusting a rate", () => {
    const clock = windowAt(10);
    run(clock, 10, 5, 40);
    expect(clock.window.size).toBe(32);
  });

  it("keeps a prefetch the user set, whatever the rate", () => {
    const fixed = ClaimWindow.fixed(3);
    for (let i = 0; i < 10_000; i++) fixed.started();
    fixed.answered(100);
    expect(fixed.size).toBe(3);
    expect(fixed.adaptive).toBe(false);
    expect(ClaimWindow.fixed(0).size).toBe(0);
  });
});
