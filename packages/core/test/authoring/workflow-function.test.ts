import { describe, expect, it } from "vitest";
import { Task, task, workflow, type TaskContext } from "../../src/index.js";
import { errorOf, useEngines } from "../support/engine.js";

const newEngine = useEngines();

// The brief's function style: three tasks, listed in order, with no dependsOn.
const extract = task({ timeout: 30, retryCount: 3 }, async function extract() {
  return [1, 2, 3];
});
const transform = task(async function transform(ctx: TaskContext<unknown, { extract: number[] }>) {
  return ctx.deps.extract.map((n) => n * 2);
});
const load = task(async function load(ctx: TaskContext<unknown, { transform: number[] }>) {
  return { rows: ctx.deps.transform.length };
});

describe("workflow()", () => {
  it("runs a plain list with no dependsOn as a sequence in list order", () => {
    const etl = workflow({ name: "ETL" }, () => [extract, transform, load]);
    expect(etl.name).toBe("ETL");
    expect(etl.tasks.map((t) => [t.name, t.dependsOn])).toEqual([
      ["extract", undefined],
      ["transform", ["extract"]],
      ["load", ["transform"]],
    ]);
    expect(etl.tasks[0]).toMatchObject({ timeout: 30, retry: 3 });
  });

  it("registers and runs, each task receiving the one before's output", async () => {
    const fm = newEngine();
    await fm.register(workflow({ name: "ETL" }, () => [extract, transform, load]));
    const run = await fm.start("ETL");
    expect(await run.result()).toEqual({ extract: [1, 2, 3], transform: [2, 4, 6], load: { rows: 3 } });
  });

  it("lets the declared dependencies decide once any task declares dependsOn", async () => {
    const order: string[] = [];
    const step = (name: string, dependsOn?: string[]) =>
      task({ name, ...(dependsOn === undefined ? {} : { dependsOn }) }, async () => {
        order.push(name);
        return name;
      });
    const def = workflow({ name: "fan-in" }, [step("a"), step("b"), step("c", ["a", "b"])]);
    expect(def.tasks.map((t) => t.dependsOn)).toEqual([undefined, undefined, ["a", "b"]]);
    const fm = newEngine();
    await fm.register(def);
    const run = await (await fm.start("fan-in")).wait();
    expect(run.status).toBe("succeeded");
    expect(order.at(-1)).toBe("c");
  });

  it("runs an undeclared list in parallel with sequential: false, and chains it with sequential: true", () => {
    const parallel = workflow({ name: "p", sequential: false }, [extract, transform, load]);
    expect(parallel.tasks.map((t) => t.dependsOn)).toEqual([undefined, undefined, undefined]);
    const chained = workflow({ name: "s", sequential: true }, [extract, transform, load]);
    expect(chained.tasks.map((t) => t.dependsOn)).toEqual([undefined, ["extract"], ["transform"]]);
    // The workflow option does not leak into the definition.
    expect(chained).not.toHaveProperty("sequential");
  });

  it("counts an explicit empty dependsOn as declared: the other tasks start at once", () => {
    const first = task({ dependsOn: [] }, async function first() {});
    const def = workflow({ name: "w" }, [first, extract]);
    expect(def.tasks.map((t) => t.dependsOn)).toEqual([[], undefined]);
  });

  it("accepts Tasks, definition objects and plain named functions in the list", async () => {
    async function finish(ctx: TaskContext) {
      return `done after ${String(ctx.deps.middle)}`;
    }
    const def = workflow(
      { name: "mixed", version: 2, description: "d", timeout: "1m", defaults: { retry: 1 } },
      [new Task({ name: "start", func: async () => 1 }), { name: "middle", handler: async () => 2 }, finish],
    );
    expect(def).toMatchObject({
      name: "mixed",
      version: 2,
      description: "d",
      timeout: "1m",
      defaults: { retry: 1 },
    });
    expect(def.tasks.map((t) => [t.name, t.dependsOn])).toEqual([
      ["start", undefined],
      ["middle", ["start"]],
      ["finish", ["middle"]],
    ]);
    const fm = newEngine();
    await fm.register(def);
    expect((await (await fm.start("mixed")).result()).finish).toBe("done after 2");
  });

  it("returns a fresh definition the caller may change without touching the tasks", () => {
    const a = workflow({ name: "a", sequential: false }, [extract]);
    a.tasks[0]!.timeout = 1;
    expect(extract.definition.timeout).toBe(30);
  });

  describe("errors", () => {
    it("reports a duplicate task name with both positions", async () => {
      const error = await errorOf(() => workflow({ name: "ETL" }, () => [extract, transform, extract]));
      expect(error.code).toBe("FM_ERR_INVALID_DEFINITION");
      expect(error.message).toBe(
        '[flowmesh] workflow "ETL": tasks[2].name: duplicate task "extract" (first at tasks[0])',
      );
    });

    it("reports an unknown dependency with its path", async () => {
      const orphan = task({ dependsOn: ["extrct"] }, async function orphan() {});
      const error = await errorOf(() => workflow({ name: "ETL" }, [extract, orphan]));
      expect(error.message).toBe('[flowmesh] workflow "ETL": tasks[1].dependsOn[0]: unknown task "extrct"');
    });

    it("reports a cycle as FM_ERR_CYCLE", async () => {
      const a = task({ dependsOn: ["b"] }, async function a() {});
      const b = task({ dependsOn: [a] }, async function b() {});
      const error = await errorOf(() => workflow({ name: "loop" }, [a, b]));
      expect(error.code).toBe("FM_ERR_CYCLE");
      expect(error.message).toContain("dependency cycle: a -> b -> a");
    });

    it("refuses items that are not tasks, an anonymous function, and an empty list", async () => {
      const bad = await errorOf(() => workflow({ name: "w" }, [extract, 42 as never, async () => 1]));
      expect(bad.message).toBe(
        '[flowmesh] workflow "w": tasks[1]: expected a task (task(), new Task() or a definition object), received 42; tasks[2]: an anonymous function has no task name; wrap it: task({ name: "..." }, fn)',
      );
      const empty = await errorOf(() => workflow({ name: "w" }, () => []));
      expect(empty.message).toContain("tasks: a workflow needs at least one task");
      const notList = await errorOf(() => workflow({ name: "w" }, (() => extract) as never));
      expect(notList.message).toContain("tasks: expected a list of tasks or a function returning one");
    });

    it("refuses an unknown workflow option, a missing name, and sequential: true with declared dependencies", async () => {
      const unknown = await errorOf(() => workflow({ name: "w", parallel: true } as never, [extract]));
      expect(unknown.message).toContain('workflow "w": unknown option "parallel"');
      const nameless = await errorOf(() => workflow({} as never, [extract]));
      expect(nameless.message).toContain("name: expected a string, received undefined");
      const dependent = task({ dependsOn: ["extract"] }, async function dependent() {});
      const conflict = await errorOf(() => workflow({ name: "w", sequential: true }, [extract, dependent]));
      expect(conflict.message).toContain(
        'sequential: true chains the tasks in list order, but "dependent" declare dependsOn',
      );
    });

    it("reports a bad field of a plain definition object with its path", async () => {
      const error = await errorOf(() => workflow({ name: "w" }, [{ name: "a", timeout: -1 }]));
      expect(error.message).toContain(
        "tasks[0].timeout: expected a non-negative number of seconds, received -1",
      );
    });
  });
});
