/**
 * When `wait()` and `result()` settle: rejected with FM_ERR_CLOSED when the
 * engine closes under them, and, for a run cancelled or timed out here,
 * resolved only after that run's `afterWorkflow` hooks ran.
 */
import { describe, expect, it } from "vitest";
import { FlowMeshError } from "../../src/index.js";
import { abortableSleep, deferred, sleep, useEngines } from "../support/engine.js";
import { within } from "../support/within.js";

const engine = useEngines();

describe("close() and pending waiters", () => {
  it("rejects pending wait() and result() of an unfinished run with FM_ERR_CLOSED", async () => {
    const fm = engine({ drainTimeout: "50ms" });
    const running = deferred();
    await fm.register({
      name: "slow",
      tasks: [
        {
          name: "t",
          handler: async (ctx) => {
            running.resolve();
            await abortableSleep(10_000, ctx.signal);
          },
        },
      ],
    });
    const handle = await fm.start("slow");
    await running.promise;
    const pending = Promise.allSettled([handle.wait(), handle.result()]);
    await fm.close();
    const outcomes = await within(pending, 500, "the waiters to settle after close()");
    for (const outcome of outcomes) {
      expect(outcome.status).toBe("rejected");
      const reason = (outcome as PromiseRejectedResult).reason as FlowMeshError;
      expect(reason).toBeInstanceOf(FlowMeshError);
      expect(reason.code).toBe("FM_ERR_CLOSED");
      expect(reason.message).toContain(handle.id);
      expect(reason.details).toEqual({ runId: handle.id });
    }
  });

  it("rejects them on an API-only engine too, where nothing will ever run the task", async () => {
    const fm = engine({ worker: false });
    await fm.register({ name: "wf", tasks: [{ name: "t", handler: () => 1 }] });
    const handle = await fm.start("wf");
    const pending = Promise.allSettled([handle.wait(), handle.wait(), handle.result()]);
    await fm.close();
    const outcomes = await within(pending, 500, "the waiters to settle after close()");
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect(outcomes.map((o) => ((o as PromiseRejectedResult).reason as FlowMeshError).code)).toEqual([
      "FM_ERR_CLOSED",
      "FM_ERR_CLOSED",
      "FM_ERR_CLOSED",
    ]);
  });
});

describe("waiters of a run ended by cancel() or its workflow timeout", () => {
  /** A one-task workflow whose task runs until aborted, and an afterWorkflow hook that takes 30 ms. */
  async function setUp(timeout?: string) {
    const fm = engine();
    const running = deferred();
    const hook = { done: false, runs: [] as string[] };
    fm.hooks.afterWorkflow.tapPromise("slow-hook", async (run) => {
      await sleep(30);
      hook.runs.push(run.status);
      hook.done = true;
    });
    await fm.register({
      name: "wf",
      ...(timeout === undefined ? {} : { timeout }),
      tasks: [
        {
          name: "t",
          handler: async (ctx) => {
            running.resolve();
            await abortableSleep(10_000, ctx.signal);
          },
        },
      ],
    });
    const handle = await fm.start("wf");
    await running.promise;
    // What the hook had done at the moment wait() resolved.
    const waited = handle.wait().then((run) => ({ run, hookDone: hook.done }));
    return { fm, handle, hook, waited };
  }

  it("cancel(): wait() resolves only after the afterWorkflow hooks for the cancellation ran", async () => {
    const { handle, hook, waited } = await setUp();
    const cancelled = await handle.cancel("enough");
    expect(cancelled.status).toBe("cancelled");
    const { run, hookDone } = await within(waited, 1000, "wait() after cancel()");
    expect(run.status).toBe("cancelled");
    expect(hookDone).toBe(true);
    expect(hook.runs).toEqual(["cancelled"]);
  });

  it("workflow timeout: wait() resolves only after the afterWorkflow hooks for the timeout ran", async () => {
    const { hook, waited } = await setUp("80ms");
    const { run, hookDone } = await within(waited, 1000, "wait() after the workflow timed out");
    expect(run.status).toBe("timed_out");
    expect(hookDone).toBe(true);
    expect(hook.runs).toEqual(["timed_out"]);
  });
});
