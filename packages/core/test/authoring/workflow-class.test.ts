import { describe, expect, it } from "vitest";
import { planWorkflow, Task, task, Workflow, type TaskContext } from "../../src/index.js";
import { errorOf, useEngines } from "../support/engine.js";

const newEngine = useEngines();

async function extract() {
  return [1, 2, 3];
}
async function transform(ctx: TaskContext<unknown, { extract: number[] }>) {
  return ctx.deps.extract.map((n) => n * 2);
}
async function load(ctx: TaskContext<unknown, { transform: number[] }>) {
  return { rows: ctx.deps.transform.length };
}

describe("new Workflow / new Task", () => {
  it("runs the brief's snippet as written: a list of Tasks in order", async () => {
    const etl = new Workflow({
      name: "ETL",
      tasks: [
        new Task({ name: "extract", func: extract }),
        new Task({ name: "transform", func: transform }),
        new Task({ name: "load", func: load }),
      ],
    });
    expect(etl.tasks.map((t) => [t.name, t.dependsOn])).toEqual([
      ["extract", undefined],
      ["transform", ["extract"]],
      ["load", ["transform"]],
    ]);
    const fm = newEngine();
    await fm.register(etl);
    expect(await (await fm.start("ETL")).result()).toEqual({
      extract: [1, 2, 3],
      transform: [2, 4, 6],
      load: { rows: 3 },
    });
  });

  it("makes a Task that is itself a definition: func is the handler, the name defaults to func's", () => {
    const t = new Task({ func: load, dependsOn: ["transform"], timeout: "5m", retryCount: 2, priority: 3 });
    expect(t.name).toBe("load");
    expect(t.func).toBe(load);
    expect(t.handler).toBe(load);
    // Own fields are exactly the definition's: a Task goes wherever a TaskDefinitionInput does.
    expect({ ...t }).toEqual({
      name: "load",
      handler: load,
      dependsOn: ["transform"],
      timeout: "5m",
      retry: 2,
      priority: 3,
    });
    const plan = planWorkflow({
      name: "raw",
      tasks: [new Task({ func: extract }), new Task({ func: transform, dependsOn: ["extract"] })],
    });
    expect(plan.tasks.map((p) => p.name)).toEqual(["extract", "transform"]);
  });

  it("accepts a handler reference string, resolved when the workflow is registered", async () => {
    const fm = newEngine();
    fm.hooks.resolveHandler.tap("refs", (request) => (request.ref === "jobs#extract" ? extract : undefined));
    await fm.register(
      new Workflow({ name: "refs", tasks: [new Task({ name: "extract", func: "jobs#extract" })] }),
    );
    expect(await (await fm.start("refs")).result()).toEqual({ extract: [1, 2, 3] });
  });

  it("lets declared dependencies decide, with task() functions as dependencies", async () => {
    const extractTask = task(extract);
    const wf = new Workflow({
      name: "diamond",
      version: "3",
      timeout: 60,
      defaults: { retry: { maxRetries: 1, baseDelay: 0 } },
      tasks: [
        extractTask,
        new Task({ name: "left", func: async () => "l", dependsOn: [extractTask] }),
        new Task({ name: "right", func: async () => "r", dependsOn: ["extract"] }),
        new Task({
          name: "join",
          func: async (ctx: TaskContext<unknown, { left: string; right: string }>) =>
            ctx.deps.left + ctx.deps.right,
          dependsOn: ["left", "right"],
        }),
      ],
    });
    expect(wf.tasks.map((t) => t.dependsOn)).toEqual([
      undefined,
      ["extract"],
      ["extract"],
      ["left", "right"],
    ]);
    const fm = newEngine();
    await fm.register(wf);
    expect((await (await fm.start("diamond")).result()).join).toBe("lr");
    expect(wf.toDefinition()).toEqual({
      name: "diamond",
      version: "3",
      timeout: 60,
      defaults: { retry: { maxRetries: 1, baseDelay: 0 } },
      tasks: wf.tasks.map((t) => ({ ...t })),
    });
    expect(wf.toDefinition().tasks[0]).not.toBe(wf.tasks[0]);
  });

  describe("errors", () => {
    it("needs a name when func is missing or anonymous", async () => {
      const error = await errorOf(() => new Task({ func: async () => 1 }));
      expect(error.code).toBe("FM_ERR_INVALID_DEFINITION");
      expect(error.message).toBe(
        "[flowmesh] new Task(): name: required (it defaults to func's name, but func is missing or anonymous)",
      );
    });

    it("names the task and the option for a bad or unknown option", async () => {
      const bad = await errorOf(() => new Task({ name: "load", func: load, timeout: "forever" }));
      expect(bad.message).toContain('new Task "load": timeout: expected a duration');
      const unknown = await errorOf(() => new Task({ name: "load", handler: load } as never));
      expect(unknown.message).toContain('new Task "load": unknown option "handler"');
    });

    it("reports duplicate names and unknown dependencies with the workflow and path", async () => {
      const dup = await errorOf(
        () =>
          new Workflow({ name: "ETL", tasks: [new Task({ func: extract }), new Task({ func: extract })] }),
      );
      expect(dup.message).toBe(
        '[flowmesh] workflow "ETL": tasks[1].name: duplicate task "extract" (first at tasks[0])',
      );
      const unknown = await errorOf(
        () => new Workflow({ name: "ETL", tasks: [new Task({ func: load, dependsOn: ["transfrom"] })] }),
      );
      expect(unknown.message).toBe(
        '[flowmesh] workflow "ETL": tasks[0].dependsOn[0]: unknown task "transfrom"',
      );
      const unknownKey = await errorOf(() => new Workflow({ name: "ETL", task: [] } as never));
      expect(unknownKey.message).toContain('new Workflow "ETL": unknown option "task"');
    });
  });
});
