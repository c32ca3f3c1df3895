/**
 * A plugin's `tap()` on an async hook may be given an async function: it is
 * awaited like `tapPromise()`, and its rejection is a hook error naming the
 * plugin, never an unhandled rejection. `tapPromise()` on a synchronous hook
 * fails the setup, naming the plugin and the hook.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { definePlugin, FlowMeshError } from "../../src/index.js";
import { errorOf, sleep, useEngines } from "../support/engine.js";
import { within } from "../support/within.js";

const engine = useEngines();

/** Unhandled rejections seen during the current test. */
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
beforeEach(() => {
  unhandled.length = 0;
  process.on("unhandledRejection", onUnhandled);
});
afterEach(() => {
  process.off("unhandledRejection", onUnhandled);
});

/**
 * One task that takes a few ms, so `result()` is waiting before the run ends
 * (a waiter that arrives after the run ended but before its hooks did is
 * released at once: see the report on `waitForResult`).
 */
const oneTask = {
  name: "wf",
  tasks: [
    {
      name: "t",
      handler: async () => {
        await sleep(10);
        return "out";
      },
    },
  ],
};

describe("tap() with an async function on an async hook", () => {
  it("reports a rejection as hook:error with FM_ERR_HOOK naming the plugin, not as an unhandled rejection", async () => {
    const auditor = definePlugin({
      name: "auditor",
      setup(ctx) {
        // eslint-disable-next-line @typescript-eslint/no-misused-promises -- the case under test
        ctx.hooks.afterTask.tap(async () => {
          await sleep(20);
          throw new Error("x");
        });
      },
    });
    const fm = engine({ plugins: [auditor()] });
    const hookErrors: { hook: string; error: unknown }[] = [];
    fm.events.on("hook:error", (event) => hookErrors.push(event));
    await fm.register(oneTask);
    const outputs = await within((await fm.start("wf")).result(), 1000, "the run to finish");
    // The output was committed before afterTask: the hook's failure is reported, the run succeeds.
    expect(outputs).toEqual({ t: "out" });
    expect(hookErrors).toHaveLength(1);
    expect(hookErrors[0]!.hook).toBe("afterTask");
    const error = hookErrors[0]!.error as FlowMeshError;
    expect(error).toBeInstanceOf(FlowMeshError);
    expect(error.code).toBe("FM_ERR_HOOK");
    expect(error.details).toEqual({ plugin: "auditor", hook: "afterTask" });
    expect(error.message).toContain('plugin "auditor" failed in hook "afterTask": x');
    expect((error.cause as Error).message).toBe("x");
    await sleep(30);
    expect(unhandled).toEqual([]);
  });

  it("awaits a non-throwing async tap: result() resolves only after it finished", async () => {
    const state = { finished: false };
    const slow = definePlugin({
      name: "slow",
      setup(ctx) {
        // eslint-disable-next-line @typescript-eslint/no-misused-promises -- the case under test
        ctx.hooks.afterTask.tap(async () => {
          await sleep(20);
          state.finished = true;
        });
      },
    });
    const fm = engine({ plugins: [slow()] });
    await fm.register(oneTask);
    const handle = await fm.start("wf");
    const seen = await within(
      handle.result().then((outputs) => ({ outputs, finished: state.finished })),
      1000,
      "the run to finish",
    );
    expect(seen).toEqual({ outputs: { t: "out" }, finished: true });
    expect(unhandled).toEqual([]);
  });

  it("still taps a synchronous hook synchronously", async () => {
    const upper = definePlugin({
      name: "upper",
      setup(ctx) {
        ctx.hooks.wrapHandler.tap((handler) => async (c) => String(await handler(c)).toUpperCase());
      },
    });
    const fm = engine({ plugins: [upper()] });
    await fm.register(oneTask);
    expect(await (await fm.start("wf")).result()).toEqual({ t: "OUT" });
  });
});

describe("tapPromise() on a synchronous hook", () => {
  it("fails the plugin's setup with FM_ERR_PLUGIN naming the plugin and the hook", async () => {
    const wrapper = definePlugin({
      name: "wrapper",
      setup(ctx) {
        // wrapHandler is a SyncWaterfallHook: its type offers no usable tapPromise.
        (ctx.hooks.wrapHandler.tapPromise as (fn: unknown) => void)(async (handler: unknown) => handler);
      },
    });
    const fm = engine({ plugins: [wrapper()] });
    const error = await errorOf(() => fm.ready());
    expect(error.code).toBe("FM_ERR_PLUGIN");
    expect(error.details).toEqual({ plugin: "wrapper", hook: "wrapHandler" });
    expect(error.message).toContain('plugin "wrapper"');
    expect(error.message).toContain('hook "wrapHandler" is synchronous');
    expect(error.message).toContain("use tap()");
  });
});
