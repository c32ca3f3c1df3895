import { describe, expectTypeOf, it } from "vitest";
import { workflowBuilder, type TaskContext, type WorkflowDefinitionInput } from "../../src/index.js";

describe("workflowBuilder types", () => {
  it("carries each task's output type to its dependents", () => {
    workflowBuilder("etl")
      .task("extract", async () => [1, 2, 3])
      .task("meta", () => ({ source: "s3", at: new Date() }))
      .task("transform", { dependsOn: ["extract", "meta"] }, async (ctx) => {
        expectTypeOf(ctx.deps.extract).toEqualTypeOf<number[]>();
        expectTypeOf(ctx.deps.meta).toEqualTypeOf<{ source: string; at: Date }>();
        expectTypeOf(ctx.deps).toEqualTypeOf<{ extract: number[]; meta: { source: string; at: Date } }>();
        return ctx.deps.extract.map(String);
      })
      .task("load", { dependsOn: ["transform"] }, (ctx) => {
        // Awaited: a promise's value, not the promise, reaches dependents.
        expectTypeOf(ctx.deps.transform).toEqualTypeOf<string[]>();
        return ctx.deps.transform.length;
      });
  });

  it("gives ctx.deps only the declared dependencies", () => {
    workflowBuilder("etl")
      .task("extract", () => 1)
      .task("other", () => "x")
      .task("transform", { dependsOn: ["extract"] }, (ctx) => {
        expectTypeOf(ctx.deps).toEqualTypeOf<{ extract: number }>();
        // @ts-expect-error "other" is not a dependency of transform
        // eslint-disable-next-line @typescript-eslint/no-unsafe-return
        return ctx.deps.other;
      })
      .task("first", (ctx) => {
        // @ts-expect-error a task without dependsOn has no deps
        // eslint-disable-next-line @typescript-eslint/no-unsafe-return
        return ctx.deps.extract;
      });
  });

  it("types ctx.input from the builder's input type", () => {
    workflowBuilder<{ day: string }>("etl").task("extract", (ctx) => {
      expectTypeOf(ctx.input).toEqualTypeOf<{ day: string }>();
      expectTypeOf(ctx).toEqualTypeOf<TaskContext<{ day: string }, Record<never, never>>>();
      return ctx.input.day;
    });
  });

  it("refuses an unknown dependency, a task added later, and a duplicate name", () => {
    const b = workflowBuilder("etl").task("extract", () => 1);
    // @ts-expect-error no task named "extrct"
    b.task("transform", { dependsOn: ["extrct"] }, () => 2);
    // @ts-expect-error "load" is added after transform, so transform cannot depend on it
    b.task("transform", { dependsOn: ["load"] }, () => 2).task("load", () => 3);
    // @ts-expect-error "extract" was already added
    b.task("extract", () => 2);
    // @ts-expect-error a task cannot depend on itself
    workflowBuilder("w").task("a", { dependsOn: ["a"] }, () => 1);
  });

  it("refuses unknown options and wrong option types", () => {
    const b = workflowBuilder("etl");
    // @ts-expect-error the builder's tasks take their name as the first argument
    b.task("x", { name: "y" }, () => 1);
    // @ts-expect-error priority is a number
    b.task("x", { priority: "high" }, () => 1);
    // @ts-expect-error sequential does not apply: dependencies are explicit
    workflowBuilder("w", { sequential: true });
  });

  it("builds a definition the engine registers", () => {
    const def = workflowBuilder("etl")
      .task("a", () => 1)
      .build();
    expectTypeOf(def).toEqualTypeOf<WorkflowDefinitionInput>();
  });
});
