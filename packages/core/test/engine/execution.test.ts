import { describe, expect, it } from "vitest";
import type { TaskContext } from "../../src/index.js";
import { ConcurrencyProbe, sleep, useEngines } from "../support/engine.js";

const engine = useEngines();

describe("execution order", () => {
  it("starts a task only after every one of its dependencies succeeded", async () => {
    const fm = engine();
    const log: string[] = [];
    const step = (name: string, ms: number) => async () => {
      log.push(`start:${name}`);
      await sleep(ms);
      log.push(`end:${name}`);
      return name;
    };
    await fm.register({
      name: "diamond",
      tasks: [
        { name: "a", handler: step("a", 10) },
        { name: "b", dependsOn: ["a"], handler: step("b", 40) },
        { name: "c", dependsOn: ["a"], handler: step("c", 5) },
        { name: "d", dependsOn: ["b", "c"], handler: step("d", 1) },
      ],
    });
    const handle = await fm.start("diamond");
    await handle.result();

    const at = (entry: string) => log.indexOf(entry);
    expect(log).toHaveLength(8);
    expect(at("start:b")).toBeGreaterThan(at("end:a"));
    expect(at("start:c")).toBeGreaterThan(at("end:a"));
    // Fan-in: d waits for the slow branch as well as the fast one.
    expect(at("start:d")).toBeGreaterThan(at("end:b"));
    expect(at("start:d")).toBeGreaterThan(at("end:c"));
    expect(log.at(-1)).toBe("end:d");
  });

  it("starts a task as soon as its own dependencies succeeded, not when a whole level is done", async () => {
    const fm = engine();
    const log: string[] = [];
    const step = (name: string, ms: number) => async () => {
      log.push(`start:${name}`);
      await sleep(ms);
      log.push(`end:${name}`);
    };
    await fm.register({
      name: "uneven",
      tasks: [
        { name: "a", handler: step("a", 5) },
        { name: "slow", dependsOn: ["a"], handler: step("slow", 80) },
        { name: "fast", dependsOn: ["a"], handler: step("fast", 5) },
        { name: "after_fast", dependsOn: ["fast"], handler: step("after_fast", 5) },
      ],
    });
    await (await fm.start("uneven")).result();
    expect(log.indexOf("end:after_fast")).toBeLessThan(log.indexOf("end:slow"));
    expect(log.indexOf("start:after_fast")).toBeGreaterThan(log.indexOf("end:fast"));
  });

  it("passes each task's output to its dependents and returns every output from result()", async () => {
    const fm = engine();
    await fm.register({
      name: "etl",
      tasks: [
        { name: "extract", handler: () => [1, 2, 3] },
        {
          name: "transform",
          dependsOn: ["extract"],
          handler: (ctx) => (ctx.deps.extract as number[]).map((n) => n * 10),
        },
        {
          name: "load",
          dependsOn: ["transform"],
          handler: (ctx) => ({ loaded: (ctx.deps.transform as number[]).length }),
        },
      ],
    });
    const outputs = await (await fm.start("etl")).result();
    expect(outputs).toEqual({ extract: [1, 2, 3], transform: [10, 20, 30], load: { loaded: 3 } });
  });
});

describe("concurrency", () => {
  it("runs independent branches at the same time", async () => {
    const fm = engine();
    const probe = new ConcurrencyProbe();
    const task = (name: string) => ({ name, handler: () => probe.around(() => sleep(50)) });
    await fm.register({ name: "fan", tasks: [task("a"), task("b"), task("c")] });
    const started = performance.now();
    await (await fm.start("fan")).result();
    const elapsed = performance.now() - started;
    expect(probe.max).toBe(3);
    // Serially this would take 150 ms or more.
    expect(elapsed).toBeLessThan(140);
  });

  it("never runs more attempts than `concurrency` at once, and does reach it", async () => {
    const fm = engine({ concurrency: 2 });
    const probe = new ConcurrencyProbe();
    const names = ["t1", "t2", "t3", "t4", "t5"];
    let calls = 0;
    await fm.register({
      name: "five",
      tasks: names.map((name) => ({
        name,
        handler: () =>
          probe.around(async () => {
            calls++;
            await sleep(30);
          }),
      })),
    });
    await (await fm.start("five")).result();
    expect(calls).toBe(5);
    expect(probe.max).toBe(2);
  });

  it("applies the limit per engine, across runs", async () => {
    const fm = engine({ concurrency: 3 });
    const probe = new ConcurrencyProbe();
    await fm.register({
      name: "pair",
      tasks: ["x", "y"].map((name) => ({ name, handler: () => probe.around(() => sleep(30)) })),
    });
    const handles = await Promise.all([
      fm.start("pair"),
      fm.start("pair"),
      fm.start("pair"),
      fm.start("pair"),
    ]);
    await Promise.all(handles.map((h) => h.result()));
    expect(probe.max).toBe(3);
  });
});

describe("ready queue order", () => {
  it("takes ready tasks by priority, higher first, then in the order they became ready", async () => {
    const fm = engine({ concurrency: 1 });
    const order: string[] = [];
    const task = (name: string, priority: number) => ({
      name,
      priority,
      handler: () => void order.push(name),
    });
    await fm.register({
      name: "prio",
      tasks: [
        task("low_1", 0),
        task("high", 10),
        task("low_2", 0),
        task("mid", 5),
        task("low_3", 0),
        task("neg", -1),
      ],
    });
    await (await fm.start("prio")).result();
    expect(order).toEqual(["high", "mid", "low_1", "low_2", "low_3", "neg"]);
  });

  it("lets a higher-priority task of a later run overtake queued lower-priority tasks", async () => {
    const fm = engine({ concurrency: 1 });
    const order: string[] = [];
    const record = (ctx: TaskContext) => {
      order.push(ctx.taskName);
      return sleep(20);
    };
    await fm.register({
      name: "bulk",
      tasks: ["a1", "a2", "a3"].map((name) => ({ name, handler: record })),
    });
    await fm.register({ name: "urgent", tasks: [{ name: "u", priority: 5, handler: record }] });
    await fm.register({ name: "normal", tasks: [{ name: "n", handler: record }] });
    const bulk = await fm.start("bulk");
    while (order.length === 0) await sleep(1);
    // a1 is running; a2 and a3 are queued ahead of n (FIFO) but behind u (priority).
    const normal = await fm.start("normal");
    const urgent = await fm.start("urgent");
    await Promise.all([bulk.result(), normal.result(), urgent.result()]);
    expect(order).toEqual(["a1", "u", "a2", "a3", "n"]);
  });
});
