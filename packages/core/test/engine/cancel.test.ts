import { describe, expect, it } from "vitest";
import type { FlowMeshError } from "../../src/index.js";
import { abortableSleep, deferred, errorOf, sleep, until, useEngines } from "../support/engine.js";

const engine = useEngines();

async function registerBlocking(fm: ReturnType<ReturnType<typeof useEngines>>) {
  const started: string[] = [];
  const aborts: unknown[] = [];
  const running = deferred();
  await fm.register({
    name: "blocking",
    tasks: [
      {
        name: "long",
        handler: async (ctx) => {
          started.push("long");
          running.resolve();
          try {
            await abortableSleep(2000, ctx.signal);
          } catch (error) {
            aborts.push(error);
            throw error;
          }
          return "finished";
        },
      },
      { name: "after", dependsOn: ["long"], handler: () => void started.push("after") },
    ],
  });
  return { started, aborts, running: running.promise };
}

describe("cancellation", () => {
  it("handle.cancel() ends the run cancelled, aborts the running task and never starts pending ones", async () => {
    const fm = engine();
    const { started, aborts, running } = await registerBlocking(fm);
    const handle = await fm.start("blocking");
    await running;
    const t0 = performance.now();
    const cancelled = await handle.cancel("user asked");
    expect(cancelled.status).toBe("cancelled");
    await until(() => aborts.length > 0, "the running task to see its signal abort");
    expect(performance.now() - t0).toBeLessThan(500);
    expect((aborts[0] as FlowMeshError).code).toBe("FM_ERR_CANCELLED");

    const run = await handle.wait();
    expect(run.status).toBe("cancelled");
    expect(run.error).toMatchObject({ code: "FM_ERR_CANCELLED", message: "user asked" });
    expect(run.tasks.long!.status).toBe("cancelled");
    expect(run.tasks.after!.status).toBe("cancelled");
    await sleep(30);
    expect(started).toEqual(["long"]);

    const error = await errorOf(() => handle.result());
    expect(error.code).toBe("FM_ERR_RUN_FAILED");
    expect(error.details).toMatchObject({ status: "cancelled" });
  });

  it("fm.cancel(runId) cancels by id, and pending tasks of that run never start", async () => {
    const fm = engine({ concurrency: 1 });
    const started: string[] = [];
    const running = deferred();
    await fm.register({
      name: "queue",
      tasks: [
        {
          name: "first",
          handler: async (ctx) => {
            started.push("first");
            running.resolve();
            await abortableSleep(2000, ctx.signal);
          },
        },
        // Independent but queued behind `first` by the concurrency limit.
        { name: "second", handler: () => void started.push("second") },
        { name: "third", handler: () => void started.push("third") },
      ],
    });
    const handle = await fm.start("queue");
    await running.promise;
    const cancelled = await fm.cancel(handle.id);
    expect(cancelled.status).toBe("cancelled");
    await sleep(40);
    expect(started).toEqual(["first"]);
    const run = (await fm.getRun(handle.id))!;
    expect(run.tasks.second!.status).toBe("cancelled");
    expect(run.tasks.second!.attempts).toBe(0);
  });

  it("does not record the output of a task that returns after its run was cancelled", async () => {
    const fm = engine();
    const running = deferred();
    let returned = false;
    await fm.register({
      name: "ignore",
      tasks: [
        {
          name: "t",
          handler: async () => {
            running.resolve();
            await sleep(60);
            returned = true;
            return "late";
          },
        },
      ],
    });
    const handle = await fm.start("ignore");
    await running.promise;
    await handle.cancel();
    await until(() => returned, "the handler to return");
    await sleep(20);
    const run = (await fm.getRun(handle.id))!;
    expect(run.status).toBe("cancelled");
    expect(run.tasks.t!.status).toBe("cancelled");
    expect(run.tasks.t!.output).toBeUndefined();
  });

  it("returns a finished run unchanged when cancelled", async () => {
    const fm = engine();
    await fm.register({ name: "done", tasks: [{ name: "t", handler: () => "x" }] });
    const handle = await fm.start("done");
    await handle.result();
    const after = await handle.cancel();
    expect(after.status).toBe("succeeded");
    expect((await fm.getRun(handle.id))!.tasks.t!.output).toBe("x");
  });

  it("rejects cancelling an unknown run with FM_ERR_UNKNOWN_RUN", async () => {
    const fm = engine();
    const error = await errorOf(() => fm.cancel("no-such-run"));
    expect(error.code).toBe("FM_ERR_UNKNOWN_RUN");
    expect(error.message).toContain("no-such-run");
  });

  it("stops a task waiting to retry: no further attempt starts after cancel", async () => {
    const fm = engine();
    const attempts: number[] = [];
    await fm.register({
      name: "backoff",
      tasks: [
        {
          name: "t",
          retry: { maxRetries: 3, baseDelay: "60ms", jitter: false },
          handler: (ctx) => {
            attempts.push(ctx.attempt);
            throw new Error("retry later");
          },
        },
      ],
    });
    const handle = await fm.start("backoff");
    await until(
      async () => (await fm.getRun(handle.id))!.tasks.t!.status === "retrying",
      "the task to wait for its retry",
    );
    await handle.cancel();
    await sleep(120);
    expect(attempts).toEqual([1]);
    const run = (await fm.getRun(handle.id))!;
    expect(run.status).toBe("cancelled");
    expect(run.tasks.t!.status).toBe("cancelled");
  });
});
