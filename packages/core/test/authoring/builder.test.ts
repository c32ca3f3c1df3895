import { describe, expect, it } from "vitest";
import { workflowBuilder } from "../../src/index.js";
import { errorOf, useEngines } from "../support/engine.js";

const newEngine = useEngines();

describe("workflowBuilder", () => {
  it("builds a definition that registers and runs, outputs flowing to dependents", async () => {
    const etl = workflowBuilder<{ factor: number }>("etl", { version: 2, timeout: "1m" })
      .task("extract", async () => [1, 2, 3])
      .task("transform", { dependsOn: ["extract"], retryCount: 2 }, async (ctx) =>
        ctx.deps.extract.map((n) => n * ctx.input.factor),
      )
      .task("load", { dependsOn: ["transform"], timeout: 30 }, (ctx) => ({ rows: ctx.deps.transform.length }))
      .build();
    expect(etl).toMatchObject({ name: "etl", version: 2, timeout: "1m" });
    expect(etl.tasks.map(({ handler: _, ...rest }) => rest)).toEqual([
      { name: "extract" },
      { name: "transform", dependsOn: ["extract"], retry: 2 },
      { name: "load", dependsOn: ["transform"], timeout: 30 },
    ]);
    const fm = newEngine();
    await fm.register(etl);
    expect(await (await fm.start("etl", { factor: 10 })).result()).toEqual({
      extract: [1, 2, 3],
      transform: [10, 20, 30],
      load: { rows: 3 },
    });
  });

  it("starts tasks without dependsOn at once: dependencies are always explicit", () => {
    const def = workflowBuilder("parallel")
      .task("a", () => 1)
      .task("b", () => 2)
      .build();
    expect(def.tasks.map((t) => t.dependsOn)).toEqual([undefined, undefined]);
  });

  it("is immutable: two branches from one prefix do not see each other", () => {
    const base = workflowBuilder("base").task("a", () => 1);
    const left = base.task("left", { dependsOn: ["a"] }, () => "l");
    const right = base.task("right", { dependsOn: ["a"] }, () => "r");
    expect(left.build().tasks.map((t) => t.name)).toEqual(["a", "left"]);
    expect(right.build().tasks.map((t) => t.name)).toEqual(["a", "right"]);
    expect(base.build().tasks.map((t) => t.name)).toEqual(["a"]);
  });

  describe("errors (for callers the types do not stop)", () => {
    it("refuses a duplicate name and a dependency on a task not added before", async () => {
      const b = workflowBuilder("etl").task("extract", () => 1);
      const dup = await errorOf(() => b.task("extract" as never, () => 2));
      expect(dup.code).toBe("FM_ERR_INVALID_DEFINITION");
      expect(dup.message).toBe(
        '[flowmesh] workflowBuilder("etl").task("extract"): name: duplicate task "extract" (added as task 1)',
      );
      const unknown = await errorOf(() => b.task("load", { dependsOn: ["transform" as never] }, () => 3));
      expect(unknown.message).toBe(
        '[flowmesh] workflowBuilder("etl").task("load"): dependsOn[0]: unknown task "transform" (a task can depend only on tasks added before it)',
      );
    });

    it("names the task and option for bad values and unknown options", async () => {
      const b = workflowBuilder("etl");
      const timeout = await errorOf(() => b.task("extract", { timeout: 0 }, () => 1));
      expect(timeout.message).toBe(
        '[flowmesh] workflowBuilder("etl").task("extract"): timeout: expected a timeout greater than 0, received 0',
      );
      const unknown = await errorOf(() => b.task("extract", { name: "x" } as never, () => 1));
      expect(unknown.message).toContain('unknown option "name"');
      const name = await errorOf(() => b.task("bad name", () => 1));
      expect(name.message).toContain('task("bad name"): name: expected letters, digits');
      const handler = await errorOf(() => b.task("extract", {}, undefined as never));
      expect(handler.message).toContain("handler: expected a function, received undefined");
    });

    it("refuses an empty workflow, a missing name and unknown workflow options", async () => {
      expect((await errorOf(() => workflowBuilder("empty").build())).message).toContain(
        "tasks: a workflow needs at least one task",
      );
      expect((await errorOf(() => workflowBuilder(""))).message).toContain(
        'workflowBuilder(): name: expected a non-empty string, received ""',
      );
      expect((await errorOf(() => workflowBuilder("x", { sequential: true } as never))).message).toContain(
        'workflowBuilder("x"): unknown option "sequential"',
      );
    });
  });
});
