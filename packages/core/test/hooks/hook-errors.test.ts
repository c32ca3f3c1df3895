import { describe, expect, it } from "vitest";
import { createLogger, definePlugin } from "../../src/index.js";
import type { FlowMeshError } from "../../src/index.js";
import { errorOf, LineCapture, sleep, useEngines } from "../support/engine.js";

const engine = useEngines();

function boomPlugin(hook: "afterTask" | "onFailure" | "onRetry" | "afterWorkflow" | "onWorkflowFailure") {
  return definePlugin({
    name: "boom",
    setup(ctx) {
      const fail = async () => {
        throw new Error(`${hook} exploded`);
      };
      switch (hook) {
        case "afterTask":
          ctx.hooks.afterTask.tapPromise(fail);
          break;
        case "onFailure":
          ctx.hooks.onFailure.tapPromise(fail);
          break;
        case "onRetry":
          ctx.hooks.onRetry.tapPromise(fail);
          break;
        case "afterWorkflow":
          ctx.hooks.afterWorkflow.tapPromise(fail);
          break;
        case "onWorkflowFailure":
          ctx.hooks.onWorkflowFailure.tapPromise(fail);
          break;
      }
    },
  })();
}

describe("hook errors", () => {
  it("wraps an error thrown in beforeTask with plugin and hook names and fails the task with it", async () => {
    const guard = definePlugin({
      name: "guard",
      setup(ctx) {
        ctx.hooks.beforeTask.tapPromise(async () => {
          throw new Error("guard is broken");
        });
      },
    });
    const fm = engine({ plugins: [guard()] });
    let calls = 0;
    await fm.register({ name: "wf", tasks: [{ name: "t", handler: () => ++calls }] });
    const run = await (await fm.start("wf")).wait();
    expect(calls).toBe(0);
    expect(run.status).toBe("failed");
    expect(run.tasks.t!.error).toMatchObject({ code: "FM_ERR_HOOK" });
    expect(run.tasks.t!.error!.message).toContain(
      'plugin "guard" failed in hook "beforeTask": guard is broken',
    );
    expect(run.tasks.t!.error!.cause).toMatchObject({ message: "guard is broken" });
  });

  it("wraps a synchronous throw from a sync tap the same way", async () => {
    const fm = engine();
    fm.hooks.beforeWorkflow.tap("sync-guard", () => {
      throw new Error("nope");
    });
    await fm.register({ name: "wf", tasks: [{ name: "t", handler: () => 1 }] });
    const error = await errorOf(() => fm.start("wf"));
    expect(error.code).toBe("FM_ERR_HOOK");
    expect(error.details).toEqual({ plugin: "sync-guard", hook: "beforeWorkflow" });
  });

  it("rejects register with FM_ERR_HOOK when resolveHandler throws", async () => {
    const fm = engine();
    fm.hooks.resolveHandler.tapPromise("loader", async () => {
      throw new Error("module not found");
    });
    const error = await errorOf(() =>
      fm.register({ name: "wf", tasks: [{ name: "t", handler: "./missing.js" }] }),
    );
    expect(error.code).toBe("FM_ERR_HOOK");
    expect(error.details).toEqual({ plugin: "loader", hook: "resolveHandler" });
    expect(error.message).toContain("module not found");
  });

  it("rejects register with FM_ERR_HOOK when wrapHandler throws", async () => {
    const fm = engine();
    fm.hooks.wrapHandler.tap("tracer", () => {
      throw new Error("no tracer");
    });
    const error = await errorOf(() => fm.register({ name: "wf", tasks: [{ name: "t", handler: () => 1 }] }));
    expect(error.code).toBe("FM_ERR_HOOK");
    expect(error.details).toEqual({ plugin: "tracer", hook: "wrapHandler" });
  });

  it.each([
    ["afterTask", "succeeds"],
    ["afterWorkflow", "succeeds"],
    ["onFailure", "fails"],
    ["onRetry", "retries"],
    ["onWorkflowFailure", "fails"],
  ] as const)(
    "reports a %s error as hook:error and in the log, never dropping it (run %s)",
    async (hook, scenario) => {
      const out = new LineCapture();
      const fm = engine({
        plugins: [boomPlugin(hook)],
        logger: createLogger({ destination: out, level: "error" }),
      });
      const reported: { hook: string; error: unknown }[] = [];
      fm.events.on("hook:error", (event) => reported.push(event));
      await fm.register({
        name: "wf",
        tasks: [
          {
            name: "t",
            retry: scenario === "retries" ? { maxRetries: 1, baseDelay: "1ms", jitter: false } : 0,
            handler: (ctx) => {
              if (scenario === "fails" || (scenario === "retries" && ctx.attempt === 1))
                throw new Error("task error");
              return "ok";
            },
          },
        ],
      });
      const handle = await fm.start("wf");
      const run = await handle.wait();
      await sleep(10);
      // The hook failure does not change the run's outcome.
      expect(run.status).toBe(scenario === "fails" ? "failed" : "succeeded");
      expect(reported).toHaveLength(1);
      expect(reported[0]!.hook).toBe(hook);
      const error = reported[0]!.error as FlowMeshError;
      expect(error.code).toBe("FM_ERR_HOOK");
      expect(error.details).toEqual({ plugin: "boom", hook });
      expect(error.message).toContain(`${hook} exploded`);
      const line = out.lines.find((l) => l.hook === hook);
      expect(line).toMatchObject({ level: "error" });
      expect(String(line!.message)).toContain('plugin "boom"');
    },
  );
});
