import { describe, expect, it } from "vitest";
import { NonRetryableError } from "../../src/index.js";
import type { TaskRetry } from "../../src/index.js";
import { useEngines } from "../support/engine.js";

const engine = useEngines();

describe("retries", () => {
  it("retries a failing task with exponential backoff and gives up after maxRetries", async () => {
    const fm = engine();
    const times: number[] = [];
    await fm.register({
      name: "flaky",
      tasks: [
        {
          name: "t",
          retry: { maxRetries: 2, baseDelay: "20ms", jitter: false },
          handler: (ctx) => {
            times.push(performance.now());
            throw new Error(`boom ${ctx.attempt}`);
          },
        },
      ],
    });
    const run = await (await fm.start("flaky")).wait();
    expect(times).toHaveLength(3);
    expect(run.status).toBe("failed");
    expect(run.tasks.t!.status).toBe("failed");
    expect(run.tasks.t!.attempts).toBe(3);
    expect(run.tasks.t!.error!.message).toBe("boom 3");
    const gap1 = times[1]! - times[0]!;
    const gap2 = times[2]! - times[1]!;
    // 20 ms then 40 ms (baseDelay * 2^(n-1)); timers may fire a millisecond early.
    expect(gap1).toBeGreaterThanOrEqual(18);
    expect(gap1).toBeLessThan(200);
    expect(gap2).toBeGreaterThanOrEqual(38);
    expect(gap2).toBeLessThan(250);
  });

  it("succeeds on a later attempt and records the attempts taken", async () => {
    const fm = engine();
    await fm.register({
      name: "eventually",
      tasks: [
        {
          name: "t",
          retry: { maxRetries: 3, baseDelay: "10ms", jitter: false },
          handler: (ctx) => {
            if (ctx.attempt < 3) throw new Error("not yet");
            return ctx.attempt;
          },
        },
      ],
    });
    const handle = await fm.start("eventually");
    expect(await handle.result()).toEqual({ t: 3 });
    const run = await handle.wait();
    expect(run.status).toBe("succeeded");
    expect(run.tasks.t!.attempts).toBe(3);
    expect(run.tasks.t!.error).toBeUndefined();
  });

  it("computes each delay from baseDelay, exponentialBase and maxDelay", async () => {
    const fm = engine();
    const delays: number[] = [];
    fm.hooks.onRetry.tap("probe", (_ctx, retry: TaskRetry) => void delays.push(retry.delayMs));
    await fm.register({
      name: "capped",
      tasks: [
        {
          name: "t",
          retry: { maxRetries: 3, baseDelay: "5ms", exponentialBase: 3, maxDelay: "30ms", jitter: false },
          handler: () => {
            throw new Error("always");
          },
        },
      ],
    });
    await (await fm.start("capped")).wait();
    // 5, 15, then 45 capped to 30.
    expect(delays).toEqual([5, 15, 30]);
  });

  it("with jitter, draws each delay from [0, nominal delay]", async () => {
    const fm = engine();
    const delays: { attempt: number; delayMs: number }[] = [];
    fm.hooks.onRetry.tap(
      "probe",
      (_ctx, retry: TaskRetry) => void delays.push({ attempt: retry.attempt, delayMs: retry.delayMs }),
    );
    await fm.register({
      name: "jittery",
      tasks: ["a", "b", "c", "d"].map((name) => ({
        name,
        retry: { maxRetries: 3, baseDelay: "8ms", jitter: true },
        handler: () => {
          throw new Error("always");
        },
      })),
    });
    await (await fm.start("jittery")).wait();
    expect(delays).toHaveLength(12);
    for (const { attempt, delayMs } of delays) {
      expect(delayMs).toBeGreaterThanOrEqual(0);
      expect(delayMs).toBeLessThanOrEqual(8 * 2 ** (attempt - 1));
    }
    // Twelve draws all landing exactly on the nominal delay would mean no jitter.
    expect(delays.some(({ attempt, delayMs }) => delayMs !== 8 * 2 ** (attempt - 1))).toBe(true);
  });

  it("accepts the brief's knobs with a number of seconds as baseDelay", async () => {
    const fm = engine();
    const delays: number[] = [];
    fm.hooks.onRetry.tap("probe", (_ctx, retry: TaskRetry) => void delays.push(retry.delayMs));
    await fm.register({
      name: "brief",
      tasks: [
        {
          name: "t",
          retry: { maxRetries: 1, baseDelay: 0.01, exponentialBase: 2.0, jitter: false },
          handler: (ctx) => {
            if (ctx.attempt === 1) throw new Error("once");
            return "ok";
          },
        },
      ],
    });
    expect(await (await fm.start("brief")).result()).toEqual({ t: "ok" });
    expect(delays).toEqual([10]);
  });

  it("fails at once on NonRetryableError, whatever retries remain", async () => {
    const fm = engine();
    let calls = 0;
    await fm.register({
      name: "fatal",
      tasks: [
        {
          name: "t",
          retry: { maxRetries: 5, baseDelay: "5ms" },
          handler: () => {
            calls++;
            throw new NonRetryableError("bad input");
          },
        },
      ],
    });
    const run = await (await fm.start("fatal")).wait();
    expect(calls).toBe(1);
    expect(run.status).toBe("failed");
    expect(run.tasks.t!.attempts).toBe(1);
    expect(run.tasks.t!.error).toMatchObject({
      name: "NonRetryableError",
      message: "bad input",
      retryable: false,
    });
  });

  it("does not retry a task without a retry policy", async () => {
    const fm = engine();
    let calls = 0;
    await fm.register({
      name: "once",
      tasks: [
        {
          name: "t",
          handler: () => {
            calls++;
            throw new Error("no");
          },
        },
      ],
    });
    const run = await (await fm.start("once")).wait();
    expect(calls).toBe(1);
    expect(run.tasks.t!.attempts).toBe(1);
  });

  it("applies the workflow's default retry policy to tasks that set none", async () => {
    const fm = engine();
    const attempts: Record<string, number> = {};
    await fm.register({
      name: "defaults",
      defaults: { retry: { maxRetries: 2, baseDelay: "1ms", jitter: false } },
      tasks: [
        {
          name: "inherits",
          handler: (ctx) => {
            attempts.inherits = ctx.attempt;
            throw new Error("x");
          },
        },
        {
          name: "own",
          retry: 0,
          handler: (ctx) => {
            attempts.own = ctx.attempt;
            throw new Error("y");
          },
        },
      ],
    });
    await (await fm.start("defaults")).wait();
    expect(attempts).toEqual({ inherits: 3, own: 1 });
  });
});
