import { describe, expect, it } from "vitest";
import { abortableSleep, deferred, errorOf, useEngines } from "../support/engine.js";

const engine = useEngines();

/** a → b → c, plus independent x; b fails while `failB.value` is true. */
async function registerPipeline(fm: ReturnType<ReturnType<typeof useEngines>>) {
  const calls = { a: 0, b: 0, c: 0, x: 0 };
  const failB = { value: true };
  await fm.register({
    name: "pipeline",
    tasks: [
      {
        name: "a",
        handler: () => {
          calls.a++;
          return `a${calls.a}`;
        },
      },
      {
        name: "b",
        dependsOn: ["a"],
        handler: (ctx) => {
          calls.b++;
          if (failB.value) throw new Error("b is down");
          return `b${calls.b}(${String(ctx.deps.a)})`;
        },
      },
      {
        name: "c",
        dependsOn: ["b"],
        handler: (ctx) => {
          calls.c++;
          return `c${calls.c}(${String(ctx.deps.b)})`;
        },
      },
      {
        name: "x",
        handler: () => {
          calls.x++;
          return `x${calls.x}`;
        },
      },
    ],
  });
  return { calls, failB };
}

describe("retry(runId)", () => {
  it("re-runs failed and never-run tasks and keeps the outputs of succeeded ones", async () => {
    const fm = engine();
    const { calls, failB } = await registerPipeline(fm);
    const first = await fm.start("pipeline");
    const failed = await first.wait();
    expect(failed.status).toBe("failed");
    expect(failed.tasks.c!.status).toBe("upstream_failed");
    expect(calls).toEqual({ a: 1, b: 1, c: 0, x: 1 });

    failB.value = false;
    const retried = await fm.retry(first.id);
    expect(retried.id).toBe(first.id);
    const outputs = await retried.result();
    expect(calls).toEqual({ a: 1, b: 2, c: 1, x: 1 });
    expect(outputs).toEqual({ a: "a1", b: "b2(a1)", c: "c1(b2(a1))", x: "x1" });
    const run = (await fm.getRun(first.id))!;
    expect(run.status).toBe("succeeded");
    expect(run.error).toBeUndefined();
  });

  it("re-runs cancelled tasks of a cancelled run", async () => {
    const fm = engine();
    const running = deferred();
    let calls = 0;
    let block = true;
    await fm.register({
      name: "cancel_then_retry",
      tasks: [
        {
          name: "t",
          handler: async (ctx) => {
            calls++;
            if (block) {
              running.resolve();
              await abortableSleep(2000, ctx.signal);
            }
            return "done";
          },
        },
      ],
    });
    const handle = await fm.start("cancel_then_retry");
    await running.promise;
    await handle.cancel();
    expect((await handle.wait()).status).toBe("cancelled");
    block = false;
    const outputs = await (await fm.retry(handle.id)).result();
    expect(outputs).toEqual({ t: "done" });
    expect(calls).toBe(2);
  });

  it("with fromTask, re-runs that task and everything downstream, even if they succeeded", async () => {
    const fm = engine();
    const { calls, failB } = await registerPipeline(fm);
    failB.value = false;
    const handle = await fm.start("pipeline");
    expect(await handle.result()).toEqual({ a: "a1", b: "b1(a1)", c: "c1(b1(a1))", x: "x1" });

    const outputs = await (await fm.retry(handle.id, { fromTask: "b" })).result();
    expect(calls).toEqual({ a: 1, b: 2, c: 2, x: 1 });
    expect(outputs).toEqual({ a: "a1", b: "b2(a1)", c: "c2(b2(a1))", x: "x1" });
  });

  it("gives a retried task its full retry policy again", async () => {
    const fm = engine();
    let healthy = false;
    const attempts: number[] = [];
    await fm.register({
      name: "budget",
      tasks: [
        {
          name: "t",
          retry: { maxRetries: 1, baseDelay: "1ms", jitter: false },
          handler: (ctx) => {
            attempts.push(ctx.attempt);
            // After the manual retry, the first new attempt fails once more; its own retry should succeed.
            if (!healthy || attempts.length === 3) throw new Error("flaky");
            return "ok";
          },
        },
      ],
    });
    const handle = await fm.start("budget");
    expect((await handle.wait()).status).toBe("failed");
    expect(attempts).toHaveLength(2);
    healthy = true;
    const run = await (await fm.retry(handle.id)).wait();
    expect(attempts).toHaveLength(4);
    expect(run.status).toBe("succeeded");
  });

  it("rejects fromTask naming a task the run does not have, with FM_ERR_INVALID_OPTIONS", async () => {
    const fm = engine();
    const { failB } = await registerPipeline(fm);
    failB.value = false;
    const handle = await fm.start("pipeline");
    await handle.result();
    const error = await errorOf(() => fm.retry(handle.id, { fromTask: "nope" }));
    expect(error.code).toBe("FM_ERR_INVALID_OPTIONS");
    expect(error.message).toContain('"nope"');
  });

  it("refuses to retry a run that is still running (FM_ERR_INVALID_STATE) or unknown (FM_ERR_UNKNOWN_RUN)", async () => {
    const fm = engine();
    const running = deferred();
    const release = deferred();
    await fm.register({
      name: "busy",
      tasks: [
        {
          name: "t",
          handler: async () => {
            running.resolve();
            await release.promise;
          },
        },
      ],
    });
    const handle = await fm.start("busy");
    await running.promise;
    const busy = await errorOf(() => fm.retry(handle.id));
    expect(busy.code).toBe("FM_ERR_INVALID_STATE");
    release.resolve();
    await handle.result();

    const unknown = await errorOf(() => fm.retry("missing-run"));
    expect(unknown.code).toBe("FM_ERR_UNKNOWN_RUN");
  });
});
