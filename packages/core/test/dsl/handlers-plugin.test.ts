import { describe, expect, expectTypeOf, it } from "vitest";
import { handlers, parseWorkflow, type HandlerMap, type TaskContext } from "../../src/index.js";
import { errorOf, useEngines } from "../support/engine.js";
import { BRIEF_YAML } from "./support/brief.js";

const engine = useEngines();

describe("handlers()", () => {
  it("runs the brief's YAML with handlers written in code, found by task name", async () => {
    const fm = engine({
      plugins: [
        handlers({
          extract_s3: () => ["a@x.io", "B@x.io", "a@x.io"],
          transform_spark: (ctx: TaskContext<unknown, { extract_s3: string[] }>) => [
            ...new Set(ctx.deps.extract_s3.map((email) => email.toLowerCase())),
          ],
          load_warehouse: (ctx: TaskContext<unknown, { transform_spark: string[] }>) => ({
            loaded: ctx.deps.transform_spark.length,
          }),
        }),
      ],
    });
    await fm.register(parseWorkflow(BRIEF_YAML));
    const run = await fm.start("Customer Data Pipeline");
    expect(await run.result()).toEqual({
      extract_s3: ["a@x.io", "B@x.io", "a@x.io"],
      transform_spark: ["a@x.io", "b@x.io"],
      load_warehouse: { loaded: 2 },
    });
  });

  it("resolves `handler: name` by that name, never falling back to the task's name", async () => {
    const text =
      "name: refs\ntasks:\n  - name: a\n    handler: shared#step\n  - name: b\n    handler: missing\n";
    const fm = engine({ plugins: [handlers({ "shared#step": () => "shared", b: () => "by task name" })] });
    const error = await errorOf(() => fm.register(parseWorkflow(text)));
    expect(error.code).toBe("FM_ERR_UNRESOLVED_HANDLER");
    expect(error.message).toBe(
      '[flowmesh] workflow "refs": no handler found for task "b" (handler "missing"); pass a function, or install a plugin that resolves references',
    );
    const ok = engine({ plugins: [handlers({ "shared#step": () => "shared", missing: () => "found" })] });
    await ok.register(parseWorkflow(text));
    expect(await (await ok.start("refs")).result()).toEqual({ a: "shared", b: "found" });
  });

  it("only resolves its own names: a task called constructor is not Object.prototype.constructor", async () => {
    const fm = engine({ plugins: [handlers({})] });
    const error = await errorOf(() =>
      fm.register(parseWorkflow("name: proto\ntasks: [{ name: constructor }, { name: toString }]\n")),
    );
    expect(error.code).toBe("FM_ERR_UNRESOLVED_HANDLER");
    expect(error.details).toMatchObject({
      unresolved: [
        { task: "constructor", ref: "constructor" },
        { task: "toString", ref: "toString" },
      ],
    });
  });

  it("reports every unresolved task at registration, before anything runs", async () => {
    let ran = false;
    const fm = engine({ plugins: [handlers({ extract_s3: () => (ran = true) })] });
    const error = await errorOf(() => fm.register(parseWorkflow(BRIEF_YAML)));
    expect(error.message).toBe(
      '[flowmesh] workflow "Customer Data Pipeline": no handler found for task "transform_spark" (handler "transform_spark"), task "load_warehouse" (handler "load_warehouse"); pass a function, or install a plugin that resolves references',
    );
    expect(ran).toBe(false);
    expect(fm.workflows()).toEqual([]);
  });

  it("validates its options: every value must be a function", async () => {
    const fm = engine({ plugins: [handlers({ extract: 42 } as unknown as HandlerMap)] });
    const error = await errorOf(() => fm.register(parseWorkflow("name: w\ntasks: [{ name: extract }]\n")));
    expect(error.code).toBe("FM_ERR_INVALID_OPTIONS");
    expect(error.message).toBe(
      '[flowmesh] plugin "flowmesh:handlers": option "extract": expected a function, received 42',
    );
  });

  it("is one named plugin: installing it twice fails the start", async () => {
    expect(handlers().name).toBe("flowmesh:handlers");
    const fm = engine({ plugins: [handlers({ a: () => 1 }), handlers({ b: () => 2 })] });
    const error = await errorOf(() => fm.register(parseWorkflow("name: w\ntasks: [{ name: a }]\n")));
    expect(error.message).toBe('[flowmesh] plugin "flowmesh:handlers" is installed twice');
  });

  it("accepts handlers typed with their own input and dependency types", () => {
    const typed = (ctx: TaskContext<{ bucket: string }, { extract: number[] }>) => ctx.deps.extract.length;
    expectTypeOf(typed).toExtend<HandlerMap[string]>();
    expectTypeOf(handlers).parameter(0).toEqualTypeOf<HandlerMap | undefined>();
  });
});
