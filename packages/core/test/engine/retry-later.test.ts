import { describe, expect, it } from "vitest";
import { FlowMeshError, isRetryLater } from "../../src/index.js";
import type { RunRecord, RunStore, TaskRetry } from "../../src/index.js";
import { retryLaterDelayMs } from "../../src/retry-later.js";
import { useEngines } from "../support/engine.js";

const engine = useEngines();

/** What a circuit breaker throws while open: fail fast, come back in `ms`. */
function circuitOpen(ms: number): FlowMeshError & { retryAfterMs: number; refundAttempt: true } {
  return Object.assign(new FlowMeshError("FM_ERR_CIRCUIT_OPEN", "circuit open"), {
    retryAfterMs: ms,
    refundAttempt: true as const,
  });
}

class MapStore implements RunStore {
  readonly records = new Map<string, RunRecord>();
  async save(run: RunRecord): Promise<void> {
    this.records.set(run.id, structuredClone(run));
  }
  async get(id: string): Promise<RunRecord | undefined> {
    return this.records.get(id);
  }
  async list(): Promise<RunRecord[]> {
    return [...this.records.values()];
  }
}

describe("retry later (refunded attempts)", () => {
  it("re-runs a task after retryAfterMs without using a retry: maxRetries 0 still succeeds, attempt stays 1", async () => {
    const fm = engine();
    const seen: { attempt: number; at: number }[] = [];
    const retries: TaskRetry[] = [];
    fm.hooks.onRetry.tapPromise("test", async (_ctx, retry) => {
      retries.push(retry);
    });
    const events: number[] = [];
    fm.events.on("task:retrying", (event) => events.push(event.delayMs));
    await fm.register({
      name: "deferred",
      tasks: [
        {
          name: "call",
          retry: 0,
          handler: (ctx) => {
            seen.push({ attempt: ctx.attempt, at: performance.now() });
            if (seen.length < 3) throw circuitOpen(40);
            return "ok";
          },
        },
      ],
    });
    const handle = await fm.start("deferred");
    expect(await handle.result()).toEqual({ call: "ok" });
    const run = await handle.wait();
    expect(seen.map((s) => s.attempt)).toEqual([1, 1, 1]);
    expect(run.tasks.call).toMatchObject({ status: "succeeded", attempts: 1 });
    // Timers may fire a millisecond early.
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(38);
    expect(seen[2]!.at - seen[1]!.at).toBeGreaterThanOrEqual(38);
    expect(events).toEqual([40, 40]);
    expect(retries.map((r) => [r.attempt, r.delayMs])).toEqual([
      [1, 40],
      [1, 40],
    ]);
  });

  it("counts real failures as usual around refunded ones: retry 1 allows exactly one real failure", async () => {
    const fm = engine();
    const outcomes = ["open", "boom", "open", "open", "ok"];
    const attempts: number[] = [];
    await fm.register({
      name: "mixed",
      tasks: [
        {
          name: "call",
          retry: { maxRetries: 1, baseDelay: "5ms", jitter: false },
          handler: (ctx) => {
            attempts.push(ctx.attempt);
            const next = outcomes.shift();
            if (next === "open") throw circuitOpen(5);
            if (next === "boom") throw new Error("boom");
            return next;
          },
        },
      ],
    });
    const run = await (await fm.start("mixed")).wait();
    expect(run.status).toBe("succeeded");
    expect(attempts).toEqual([1, 1, 2, 2, 2]);
    expect(run.tasks.call!.attempts).toBe(2);

    const failing = ["boom", "open", "boom"];
    await fm.register({
      name: "exhausted",
      tasks: [
        {
          name: "call",
          retry: { maxRetries: 1, baseDelay: "5ms", jitter: false },
          handler: () => {
            const next = failing.shift();
            throw next === "open" ? circuitOpen(5) : new Error(`${next} ${failing.length}`);
          },
        },
      ],
    });
    const failed = await (await fm.start("exhausted")).wait();
    expect(failed.status).toBe("failed");
    expect(failed.tasks.call).toMatchObject({ status: "failed", attempts: 2 });
    expect(failed.tasks.call!.error!.message).toBe("boom 0");
  });

  it("stays bounded by the run's timeout: a task that keeps asking to retry later ends timed_out", async () => {
    const fm = engine({ sweepInterval: "20ms" });
    let calls = 0;
    await fm.register({
      name: "forever-open",
      timeout: "200ms",
      tasks: [
        {
          name: "call",
          handler: () => {
            calls++;
            throw circuitOpen(30);
          },
        },
      ],
    });
    const run = await (await fm.start("forever-open")).wait();
    expect(run.status).toBe("timed_out");
    expect(calls).toBeGreaterThan(1);
    expect(run.tasks.call!.attempts).toBe(0);
  });

  it("refunds attempts through a RunStore too, and saves the refunded count", async () => {
    const store = new MapStore();
    const fm = engine({ backend: store });
    let calls = 0;
    await fm.register({
      name: "stored",
      tasks: [
        {
          name: "call",
          handler: (ctx) => {
            calls++;
            if (calls === 1) throw circuitOpen(10);
            return ctx.attempt;
          },
        },
      ],
    });
    const handle = await fm.start("stored");
    expect(await handle.result()).toEqual({ call: 1 });
    expect(store.records.get(handle.id)!.tasks.call).toMatchObject({ status: "succeeded", attempts: 1 });
  });

  it("recognises the protocol by shape and clamps the delay", () => {
    expect(isRetryLater(circuitOpen(10))).toBe(true);
    expect(isRetryLater({ retryAfterMs: 5, refundAttempt: true })).toBe(true);
    expect(isRetryLater({ retryAfterMs: 5, refundAttempt: "yes" })).toBe(false);
    expect(isRetryLater({ retryAfterMs: Number.NaN, refundAttempt: true })).toBe(false);
    expect(isRetryLater({ refundAttempt: true })).toBe(false);
    expect(isRetryLater(new Error("plain"))).toBe(false);
    expect(isRetryLater(null)).toBe(false);
    expect(retryLaterDelayMs({ retryAfterMs: -5, refundAttempt: true })).toBe(0);
    expect(retryLaterDelayMs({ retryAfterMs: 1.2, refundAttempt: true })).toBe(2);
    expect(retryLaterDelayMs({ retryAfterMs: Infinity, refundAttempt: true })).toBe(2_147_483_647);
  });
});
