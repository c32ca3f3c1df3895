/**
 * The worker's prefetch buffer sized in time, between a floor and a cap: it
 * doubles per sample while slots find it empty with work queued, and eases
 * back with time towards two claim round trips of starts; a prefetch the user
 * set stays fixed.
 */
import { describe, expect, it } from "vitest";
import { ClaimWindow } from "../../src/engine/claim-window.js";

const CAP = 256;

/** A window on a clock the test moves. */
function windowAt(concurrency: number): { window: ClaimWindow; advance(ms: number): void } {
  let now = 1_000;
  return {
    window: ClaimWindow.adaptive(concurrency, CAP, () => now),
    advance: (ms) => (now += ms),
  };
}

/**
 * `rate` starts per ms for `ms`, a claim answered every `rttMs` (full unless
 * `drained`); `underruns`: a slot finds the buffer empty every round trip.
 */
function run(
  clock: ReturnType<typeof windowAt>,
  rate: number,
  rttMs: number,
  ms: number,
  { underruns = false, drained = false } = {},
): void {
  for (let t = 0; t < ms; t += rttMs) {
    clock.advance(rttMs);
    for (let i = 0; i < rate * rttMs; i++) clock.window.started();
    if (underruns) clock.window.underrun();
    clock.window.answered(rttMs, !drained);
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

  it("doubles once per sample while slots find it empty with work queued, up to the cap", () => {
    const clock = windowAt(10);
    run(clock, 1, 5, 50, { underruns: true });
    expect(clock.window.size).toBe(64);
    run(clock, 1, 5, 50, { underruns: true });
    expect(clock.window.size).toBe(128);
    run(clock, 1, 5, 2_000, { underruns: true });
    expect(clock.window.size).toBe(CAP);
  });

  it("does not grow from an underrun when the next claim finds the queue drained", () => {
    const clock = windowAt(10);
    for (let i = 0; i < 20; i++) {
      clock.window.underrun();
      clock.advance(5);
      clock.window.answered(5, false);
    }
    expect(clock.window.size).toBe(32);
  });

  it("eases back with time without underruns, down to what the rate wants, then the floor", () => {
    const clock = windowAt(10);
    run(clock, 1, 5, 300, { underruns: true });
    expect(clock.window.size).toBe(CAP);
    // The first sample still carries the last underrun; the next one eases back a tenth.
    run(clock, 1, 5, 100);
    expect(clock.window.size).toBe(230);
    // 1 task/ms on a 5 ms round trip wants 10: under the floor.
    run(clock, 1, 5, 2_000);
    expect(clock.window.size).toBe(32);
  });

  it("eases back as tasks start even when no claim comes back (slow tasks, a full buffer)", () => {
    const clock = windowAt(10);
    run(clock, 1, 5, 300, { underruns: true });
    expect(clock.window.size).toBe(CAP);
    // One start every 100 ms for 3 s, no claims.
    for (let i = 0; i < 30; i++) {
      clock.advance(100);
      clock.window.started();
    }
    expect(clock.window.size).toBe(32);
  });

  it("after an idle spell shrinks for all of it, and a stale underrun never doubles it", () => {
    const clock = windowAt(10);
    run(clock, 10, 5, 500);
    expect(clock.window.size).toBe(100);
    clock.window.underrun();
    clock.advance(2_000);
    clock.window.answered(5, true);
    // Not 200: the underrun is 2 s old. The rate halved (a sample of 2 s with no starts): ~50 wanted.
    expect(clock.window.size).toBeGreaterThanOrEqual(50);
    expect(clock.window.size).toBeLessThanOrEqual(51);
  });

  it("waits for a sample of at least 50 ms before trusting a rate", () => {
    const clock = windowAt(10);
    run(clock, 10, 5, 40);
    expect(clock.window.size).toBe(32);
  });

  it("keeps a prefetch the user set, whatever the rate", () => {
    const fixed = ClaimWindow.fixed(3);
    for (let i = 0; i < 10_000; i++) fixed.started();
    fixed.underrun();
    fixed.answered(100, true);
    expect(fixed.size).toBe(3);
    expect(fixed.adaptive).toBe(false);
    expect(ClaimWindow.fixed(0).size).toBe(0);
  });
});
