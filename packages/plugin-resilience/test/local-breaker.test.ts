import { describe, expect, it } from "vitest";
import { LocalBreaker, type BreakerSettings, type BreakerStore } from "../src/index.js";

function fakeClock(start = 1_000_000) {
  const clock = { t: start, now: () => clock.t, advance: (ms: number) => (clock.t += ms) };
  return clock;
}

const SETTINGS: BreakerSettings = {
  failureThreshold: 5,
  recoveryMs: 30_000,
  halfOpenMaxCalls: 1,
  successThreshold: 1,
  failureRatio: undefined,
};

/** One call through the breaker that ends with `outcome`; returns whether it was let through. */
async function call(breaker: BreakerStore, outcome: "success" | "failure"): Promise<boolean> {
  const decision = await breaker.acquire();
  if (!decision.allowed) return false;
  await breaker.record(outcome, decision.trial);
  return true;
}

describe("LocalBreaker", () => {
  it("opens after failureThreshold consecutive failures; a success in between resets the count", async () => {
    const clock = fakeClock();
    const breaker = new LocalBreaker(SETTINGS, clock.now);
    for (let i = 0; i < 4; i++) expect(await call(breaker, "failure")).toBe(true);
    expect(await call(breaker, "success")).toBe(true);
    for (let i = 0; i < 4; i++) expect(await call(breaker, "failure")).toBe(true);
    expect(breaker.current).toBe("closed");
    expect(await call(breaker, "failure")).toBe(true);
    expect(breaker.current).toBe("open");
  });

  it("fails fast while open, telling how long until it half-opens", async () => {
    const clock = fakeClock();
    const breaker = new LocalBreaker({ ...SETTINGS, failureThreshold: 1 }, clock.now);
    await call(breaker, "failure");
    expect(await breaker.acquire()).toEqual({ allowed: false, retryAfterMs: 30_000, state: "open" });
    clock.advance(29_000);
    expect(await breaker.acquire()).toEqual({ allowed: false, retryAfterMs: 1_000, state: "open" });
  });

  it("half-opens after the recovery timeout: one trial at a time; its success closes the breaker", async () => {
    const clock = fakeClock();
    const breaker = new LocalBreaker({ ...SETTINGS, failureThreshold: 1 }, clock.now);
    await call(breaker, "failure");
    clock.advance(30_000);
    const trial = await breaker.acquire();
    expect(trial).toEqual({ allowed: true, trial: true, state: "half_open" });
    const second = await breaker.acquire();
    expect(second).toMatchObject({ allowed: false, state: "half_open" });
    expect(await breaker.record("success", true)).toBe("closed");
    expect(await breaker.acquire()).toEqual({ allowed: true, trial: false, state: "closed" });
  });

  it("re-opens on a failed trial, for a whole new recovery timeout", async () => {
    const clock = fakeClock();
    const breaker = new LocalBreaker({ ...SETTINGS, failureThreshold: 1 }, clock.now);
    await call(breaker, "failure");
    clock.advance(30_000);
    expect(await breaker.acquire()).toMatchObject({ allowed: true, trial: true });
    clock.advance(500);
    expect(await breaker.record("failure", true)).toBe("open");
    expect(await breaker.acquire()).toEqual({ allowed: false, retryAfterMs: 30_000, state: "open" });
    clock.advance(30_000);
    expect(await breaker.acquire()).toMatchObject({ allowed: true, trial: true, state: "half_open" });
  });

  it("needs successThreshold trial successes to close; halfOpenMaxCalls trials run at once", async () => {
    const clock = fakeClock();
    const breaker = new LocalBreaker(
      { ...SETTINGS, failureThreshold: 1, halfOpenMaxCalls: 2, successThreshold: 2 },
      clock.now,
    );
    await call(breaker, "failure");
    clock.advance(30_000);
    expect(await breaker.acquire()).toMatchObject({ allowed: true, trial: true });
    expect(await breaker.acquire()).toMatchObject({ allowed: true, trial: true });
    expect(await breaker.acquire()).toMatchObject({ allowed: false, state: "half_open" });
    expect(await breaker.record("success", true)).toBe("half_open");
    expect(await breaker.record("success", true)).toBe("closed");
  });

  it("frees a trial slot for an ignored outcome, and ignores stale non-trial outcomes while half-open", async () => {
    const clock = fakeClock();
    const breaker = new LocalBreaker({ ...SETTINGS, failureThreshold: 1 }, clock.now);
    await call(breaker, "failure");
    clock.advance(30_000);
    expect(await breaker.acquire()).toMatchObject({ allowed: true, trial: true });
    expect(await breaker.record("ignored", true)).toBe("half_open");
    expect(await breaker.record("failure", false)).toBe("half_open");
    expect(await breaker.acquire()).toMatchObject({ allowed: true, trial: true });
  });

  it("lets a new trial through when the previous one never reported within the recovery timeout", async () => {
    const clock = fakeClock();
    const breaker = new LocalBreaker({ ...SETTINGS, failureThreshold: 1 }, clock.now);
    await call(breaker, "failure");
    clock.advance(30_000);
    expect(await breaker.acquire()).toMatchObject({ allowed: true, trial: true });
    clock.advance(29_999);
    expect(await breaker.acquire()).toMatchObject({ allowed: false });
    clock.advance(1);
    expect(await breaker.acquire()).toMatchObject({ allowed: true, trial: true });
  });

  it("opens on the failure ratio over the window once minimumCalls were seen, forgetting calls older than the window", async () => {
    const clock = fakeClock(0);
    const breaker = new LocalBreaker(
      {
        ...SETTINGS,
        failureThreshold: 100,
        failureRatio: { threshold: 0.5, windowMs: 10_000, minimumCalls: 4 },
      },
      clock.now,
    );
    // 3 failures alone are below minimumCalls.
    for (let i = 0; i < 3; i++) await call(breaker, "failure");
    expect(breaker.current).toBe("closed");
    // They leave the window: 2 of the next 4 calls failing is 50 % of what counts.
    clock.advance(11_000);
    await call(breaker, "success");
    await call(breaker, "failure");
    await call(breaker, "success");
    expect(breaker.current).toBe("closed");
    await call(breaker, "failure");
    expect(breaker.current).toBe("open");
  });

  it("stays closed below the ratio", async () => {
    const clock = fakeClock(0);
    const breaker = new LocalBreaker(
      {
        ...SETTINGS,
        failureThreshold: 100,
        failureRatio: { threshold: 0.5, windowMs: 10_000, minimumCalls: 4 },
      },
      clock.now,
    );
    for (let i = 0; i < 20; i++) await call(breaker, i % 3 === 2 ? "failure" : "success");
    expect(breaker.current).toBe("closed");
  });
});
