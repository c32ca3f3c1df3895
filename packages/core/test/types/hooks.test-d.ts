import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import {
  createFlowMesh,
  definePlugin,
  type BeforeTaskDecision,
  type RunRecord,
  type TaskContext,
  type TaskResult,
  type WorkflowInfo,
} from "../../src/index.js";

describe("hook types", () => {
  it("types every engine hook's arguments", () => {
    const fm = createFlowMesh();
    fm.hooks.afterTask.tapPromise("metrics", async (task, result, workflow) => {
      expectTypeOf(task).toEqualTypeOf<TaskContext>();
      expectTypeOf(result).toEqualTypeOf<TaskResult>();
      expectTypeOf(result.durationMs).toEqualTypeOf<number>();
      expectTypeOf(workflow).toEqualTypeOf<WorkflowInfo>();
    });
    fm.hooks.beforeTask.tapPromise("skip", async (ctx) => {
      expectTypeOf(ctx.signal).toEqualTypeOf<AbortSignal>();
      const decision: BeforeTaskDecision = { skip: true, output: 1 };
      return decision;
    });
    fm.hooks.afterWorkflow.tap("log", (run) => {
      expectTypeOf(run).toEqualTypeOf<RunRecord>();
    });
  });

  it("rejects unknown hook names and wrong tap signatures at compile time", () => {
    const fm = createFlowMesh();
    // @ts-expect-error no such hook
    // eslint-disable-next-line @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access
    fm.hooks.beforeEverything.tap("x", () => undefined);
    // @ts-expect-error beforeTask may only return a decision or undefined
    fm.hooks.beforeTask.tapPromise("x", async () => "skip");
  });

  it("gives setup the parsed options and the factory the input options", () => {
    const greeter = definePlugin({
      name: "greeter",
      options: z.object({ greeting: z.string().default("hello"), times: z.number().int() }),
      setup(ctx, options) {
        expectTypeOf(options).toEqualTypeOf<{ greeting: string; times: number }>();
        ctx.hooks.afterTask.tap((_task, result) => {
          expectTypeOf(result.durationMs).toEqualTypeOf<number>();
        });
      },
    });
    expectTypeOf(greeter).parameter(0).toEqualTypeOf<{ greeting?: string | undefined; times: number }>();
    // @ts-expect-error times is required
    greeter({ greeting: "hi" });
  });
});
