import { describe, expect, it } from "vitest";
import type { FlowMeshError } from "../../src/index.js";
import { abortableSleep, errorOf, sleep, until, useEngines } from "../support/engine.js";

const engine = useEngines();

describe("per-task timeout", () => {
  it("aborts the attempt's signal with FM_ERR_TASK_TIMEOUT at the deadline", async () => {
    const fm = engine();
    let reason: unknown;
    let abortedAfter = -1;
    await fm.register({
      name: "slow",
      tasks: [
        {
          name: "t",
          timeout: "50ms",
          handler: async (ctx) => {
            const started = performance.now();
            try {
              await abortableSleep(1000, ctx.signal);
            } catch (error) {
              reason = error;
              abortedAfter = performance.now() - started;
              throw error;
            }
          },
        },
      ],
    });
    const run = await (await fm.start("slow")).wait();
    expect(run.status).toBe("failed");
    expect((reason as FlowMeshError).code).toBe("FM_ERR_TASK_TIMEOUT");
    expect(abortedAfter).toBeGreaterThanOrEqual(45);
    expect(abortedAfter).toBeLessThan(400);
    expect(run.tasks.t!.status).toBe("failed");
    expect(run.tasks.t!.error).toMatchObject({ code: "FM_ERR_TASK_TIMEOUT" });
    expect(run.tasks.t!.error!.message).toContain('task "t" timed out after 50 ms');
  });

  it("fails the attempt even when the handler ignores the signal", async () => {
    const fm = engine();
    await fm.register({
      name: "stubborn",
      tasks: [{ name: "t", timeout: "30ms", handler: () => sleep(150) }],
    });
    const started = performance.now();
    const run = await (await fm.start("stubborn")).wait();
    expect(run.status).toBe("failed");
    expect(run.tasks.t!.error).toMatchObject({ code: "FM_ERR_TASK_TIMEOUT" });
    // The run does not wait for the handler to give up.
    expect(performance.now() - started).toBeLessThan(140);
  });

  it("counts a timed-out attempt as failed and retries it while retries remain", async () => {
    const fm = engine();
    const attempts: { attempt: number; aborted: boolean }[] = [];
    await fm.register({
      name: "retry_timeout",
      tasks: [
        {
          name: "t",
          timeout: "40ms",
          retry: { maxRetries: 2, baseDelay: "10ms", jitter: false },
          handler: async (ctx) => {
            if (ctx.attempt < 3) {
              await abortableSleep(1000, ctx.signal).catch(() => undefined);
              attempts.push({ attempt: ctx.attempt, aborted: ctx.signal.aborted });
              return `late ${ctx.attempt}`;
            }
            attempts.push({ attempt: ctx.attempt, aborted: ctx.signal.aborted });
            return "in time";
          },
        },
      ],
    });
    const handle = await fm.start("retry_timeout");
    const outputs = await handle.result();
    const run = await handle.wait();
    expect(run.tasks.t!.attempts).toBe(3);
    expect(attempts).toEqual([
      { attempt: 1, aborted: true },
      { attempt: 2, aborted: true },
      { attempt: 3, aborted: false },
    ]);
    expect(outputs.t).toBe("in time");
  });

  it("discards a result that arrives after the deadline: it is never recorded", async () => {
    const fm = engine();
    let lateReturned = false;
    await fm.register({
      name: "late",
      tasks: [
        {
          name: "t",
          timeout: "30ms",
          handler: async () => {
            await sleep(90);
            lateReturned = true;
            return "too late";
          },
        },
        { name: "after", dependsOn: ["t"], handler: () => "ran" },
      ],
    });
    const handle = await fm.start("late");
    const ended = await handle.wait();
    expect(ended.status).toBe("failed");
    await until(() => lateReturned, "the late handler to return");
    await sleep(20);
    const run = (await fm.getRun(handle.id))!;
    expect(run.status).toBe("failed");
    expect(run.tasks.t!.status).toBe("failed");
    expect(run.tasks.t!.output).toBeUndefined();
    expect(run.tasks.after!.status).toBe("upstream_failed");
    const error = await errorOf(() => handle.result());
    expect(error.code).toBe("FM_ERR_RUN_FAILED");
  });

  it("keeps the retry's output, not a late result from the timed-out attempt", async () => {
    const fm = engine();
    let lateReturned = false;
    await fm.register({
      name: "overlap",
      tasks: [
        {
          name: "t",
          timeout: "30ms",
          retry: { maxRetries: 1, baseDelay: "1ms", jitter: false },
          handler: async (ctx) => {
            if (ctx.attempt === 1) {
              await sleep(100);
              lateReturned = true;
              return "late";
            }
            return "fresh";
          },
        },
      ],
    });
    const handle = await fm.start("overlap");
    expect((await handle.result()).t).toBe("fresh");
    await until(() => lateReturned, "the late handler to return");
    await sleep(20);
    const run = (await fm.getRun(handle.id))!;
    expect(run.tasks.t!.output).toBe("fresh");
    expect(run.tasks.t!.attempts).toBe(2);
  });
});

describe("workflow timeout", () => {
  it("ends the run timed_out, aborts the running task and never starts pending ones", async () => {
    const fm = engine();
    const started: string[] = [];
    let abortReason: unknown;
    await fm.register({
      name: "deadline",
      timeout: "80ms",
      tasks: [
        {
          name: "long",
          handler: async (ctx) => {
            started.push("long");
            try {
              await abortableSleep(2000, ctx.signal);
            } catch (error) {
              abortReason = error;
              throw error;
            }
          },
        },
        { name: "next", dependsOn: ["long"], handler: () => void started.push("next") },
      ],
    });
    const t0 = performance.now();
    const handle = await fm.start("deadline");
    const run = await handle.wait();
    const elapsed = performance.now() - t0;
    expect(run.status).toBe("timed_out");
    expect(elapsed).toBeGreaterThanOrEqual(70);
    expect(elapsed).toBeLessThan(1000);
    expect(run.error).toMatchObject({ code: "FM_ERR_WORKFLOW_TIMEOUT" });
    await until(() => abortReason !== undefined, "the running task to see its signal abort");
    expect(abortReason).toBeDefined();
    expect(run.tasks.long!.status).toBe("cancelled");
    expect(run.tasks.next!.status).toBe("cancelled");
    await sleep(30);
    expect(started).toEqual(["long"]);
    const error = await errorOf(() => handle.result());
    expect(error.code).toBe("FM_ERR_RUN_FAILED");
    expect(error.message).toContain("timed_out");
  });

  it("does not let a task's late output change a timed-out run", async () => {
    const fm = engine();
    let returned = false;
    await fm.register({
      name: "ignore_abort",
      timeout: "40ms",
      tasks: [
        {
          name: "t",
          handler: async () => {
            await sleep(100);
            returned = true;
            return "late";
          },
        },
      ],
    });
    const handle = await fm.start("ignore_abort");
    expect((await handle.wait()).status).toBe("timed_out");
    await until(() => returned, "the handler to return");
    await sleep(20);
    const run = (await fm.getRun(handle.id))!;
    expect(run.status).toBe("timed_out");
    expect(run.tasks.t!.status).toBe("cancelled");
    expect(run.tasks.t!.output).toBeUndefined();
  });
});
