import { describe, expect, it } from "vitest";
import { createFlowMesh, definePlugin } from "../../src/index.js";
import type { TaskContext, TaskFailure, TaskResult, TaskRetry, WorkflowInfo } from "../../src/index.js";
import { silent, sleep, useEngines } from "../support/engine.js";

const engine = useEngines();

describe("beforeTask", () => {
  it("is called before each attempt with the task's context", async () => {
    const fm = engine();
    const seen: string[] = [];
    fm.hooks.beforeTask.tapPromise("probe", async (ctx) => {
      seen.push(`${ctx.taskName}#${ctx.attempt}`);
      return undefined;
    });
    await fm.register({
      name: "wf",
      tasks: [
        { name: "a", handler: () => 1 },
        {
          name: "b",
          dependsOn: ["a"],
          retry: { maxRetries: 1, baseDelay: "1ms", jitter: false },
          handler: (ctx) => {
            if (ctx.attempt === 1) throw new Error("once");
            return 2;
          },
        },
      ],
    });
    await (await fm.start("wf")).result();
    expect(seen).toEqual(["a#1", "b#1", "b#2"]);
  });

  it("may skip a task with an output: the handler does not run, status is skipped, dependents get the output", async () => {
    const fm = engine();
    let cachedCalls = 0;
    fm.hooks.beforeTask.tapPromise("cache", async (ctx) =>
      ctx.taskName === "expensive" ? { skip: true, output: "from-cache" } : undefined,
    );
    await fm.register({
      name: "wf",
      tasks: [
        { name: "expensive", handler: () => ++cachedCalls },
        { name: "use", dependsOn: ["expensive"], handler: (ctx) => `used ${String(ctx.deps.expensive)}` },
      ],
    });
    const handle = await fm.start("wf");
    const outputs = await handle.result();
    expect(cachedCalls).toBe(0);
    expect(outputs).toEqual({ expensive: "from-cache", use: "used from-cache" });
    const run = (await fm.getRun(handle.id))!;
    expect(run.status).toBe("succeeded");
    expect(run.tasks.expensive).toMatchObject({ status: "skipped", output: "from-cache" });
    expect((await fm.readEvents(handle.id)).map((e) => e.type)).toContain("task:skipped");
  });

  it("may refuse a task: it fails at once without retries, with FM_ERR_TASK_REFUSED and the reason", async () => {
    const fm = engine();
    let calls = 0;
    fm.hooks.beforeTask.tapPromise("policy", async (ctx) =>
      ctx.taskName === "drop_table" ? { refuse: "not in business hours" } : undefined,
    );
    await fm.register({
      name: "wf",
      tasks: [
        { name: "drop_table", retry: { maxRetries: 3, baseDelay: "1ms" }, handler: () => ++calls },
        { name: "after", dependsOn: ["drop_table"], handler: () => ++calls },
      ],
    });
    const run = await (await fm.start("wf")).wait();
    expect(calls).toBe(0);
    expect(run.status).toBe("failed");
    expect(run.tasks.drop_table).toMatchObject({ status: "failed", attempts: 1 });
    expect(run.tasks.drop_table!.error).toMatchObject({ code: "FM_ERR_TASK_REFUSED" });
    expect(run.tasks.drop_table!.error!.message).toContain(
      'task "drop_table" was refused: not in business hours',
    );
    expect(run.tasks.after!.status).toBe("upstream_failed");
  });

  it("stops at the first tap that decides (series bail)", async () => {
    const fm = engine();
    const calls: string[] = [];
    fm.hooks.beforeTask.tapPromise("first", async () => {
      calls.push("first");
      return { skip: true, output: 1 };
    });
    fm.hooks.beforeTask.tapPromise("second", async () => {
      calls.push("second");
      return undefined;
    });
    await fm.register({ name: "wf", tasks: [{ name: "t", handler: () => 0 }] });
    expect(await (await fm.start("wf")).result()).toEqual({ t: 1 });
    expect(calls).toEqual(["first"]);
  });
});

describe("afterTask", () => {
  it("sees the committed output, durationMs and the workflow (the brief's metrics hook)", async () => {
    const durations: { task: string; workflow: string; status: string; ms: number; output: unknown }[] = [];
    // The ~10-line custom hook of the brief: read durationMs after each task.
    const metrics = definePlugin({
      name: "metrics",
      setup(ctx) {
        ctx.hooks.afterTask.tapPromise(
          async (task: TaskContext, result: TaskResult, workflow: WorkflowInfo) => {
            durations.push({
              task: task.taskName,
              workflow: workflow.name,
              status: result.status,
              ms: result.durationMs,
              output: result.output,
            });
          },
        );
      },
    });
    const fm = createFlowMesh({ logger: silent(), plugins: [metrics()] });
    try {
      await fm.register({
        name: "etl",
        tasks: [
          {
            name: "extract",
            handler: async () => {
              await sleep(30);
              return [1, 2];
            },
          },
          { name: "load", dependsOn: ["extract"], handler: () => "loaded" },
        ],
      });
      await (await fm.start("etl")).result();
      await sleep(5);
    } finally {
      await fm.close();
    }
    expect(durations.map((d) => [d.task, d.workflow, d.status, d.output])).toEqual([
      ["extract", "etl", "succeeded", [1, 2]],
      ["load", "etl", "succeeded", "loaded"],
    ]);
    expect(durations[0]!.ms).toBeGreaterThanOrEqual(25);
    expect(durations[0]!.ms).toBeLessThan(500);
    expect(durations[1]!.ms).toBeGreaterThanOrEqual(0);
  });

  it("sees skipped tasks with status skipped, and is not called for failed attempts", async () => {
    const fm = engine();
    const seen: string[] = [];
    fm.hooks.beforeTask.tapPromise("skipper", async (ctx) =>
      ctx.taskName === "s" ? { skip: true, output: "S" } : undefined,
    );
    fm.hooks.afterTask.tap(
      "probe",
      (ctx, result) => void seen.push(`${ctx.taskName}:${result.status}:${result.attempt}`),
    );
    await fm.register({
      name: "wf",
      tasks: [
        { name: "s", handler: () => "never" },
        {
          name: "f",
          retry: { maxRetries: 1, baseDelay: "1ms", jitter: false },
          handler: (ctx) => {
            if (ctx.attempt === 1) throw new Error("first");
            return "F";
          },
        },
      ],
    });
    await (await fm.start("wf")).result();
    await sleep(5);
    expect(seen.sort()).toEqual(["f:succeeded:2", "s:skipped:1"]);
  });
});

describe("onRetry and onFailure", () => {
  it("calls onRetry once per retried attempt and onFailure once when the task finally fails", async () => {
    const fm = engine();
    const retries: { task: string; attempt: number; delayMs: number; message: string }[] = [];
    const failures: {
      task: string;
      attempt: number;
      message: string;
      timedOut: boolean;
      durationMs: number;
    }[] = [];
    fm.hooks.onRetry.tapPromise("probe", async (ctx: TaskContext, retry: TaskRetry) => {
      retries.push({
        task: ctx.taskName,
        attempt: retry.attempt,
        delayMs: retry.delayMs,
        message: (retry.error as Error).message,
      });
    });
    fm.hooks.onFailure.tapPromise("probe", async (ctx: TaskContext, failure: TaskFailure) => {
      failures.push({
        task: ctx.taskName,
        attempt: failure.attempt,
        message: (failure.error as Error).message,
        timedOut: failure.timedOut,
        durationMs: failure.durationMs,
      });
    });
    await fm.register({
      name: "wf",
      tasks: [
        {
          name: "t",
          retry: { maxRetries: 2, baseDelay: "10ms", jitter: false },
          handler: (ctx) => {
            throw new Error(`fail ${ctx.attempt}`);
          },
        },
        { name: "fine", handler: () => 1 },
      ],
    });
    await (await fm.start("wf")).wait();
    await sleep(5);
    expect(retries).toEqual([
      { task: "t", attempt: 1, delayMs: 10, message: "fail 1" },
      { task: "t", attempt: 2, delayMs: 20, message: "fail 2" },
    ]);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ task: "t", attempt: 3, message: "fail 3", timedOut: false });
    expect(failures[0]!.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("tells onFailure when the final failure was a timeout", async () => {
    const fm = engine();
    const failures: TaskFailure[] = [];
    fm.hooks.onFailure.tap("probe", (_ctx, failure) => void failures.push(failure));
    await fm.register({ name: "wf", tasks: [{ name: "t", timeout: "20ms", handler: () => sleep(200) }] });
    await (await fm.start("wf")).wait();
    await sleep(5);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.timedOut).toBe(true);
  });

  it("calls neither hook for a task that succeeds first time", async () => {
    const fm = engine();
    let calls = 0;
    fm.hooks.onRetry.tap("probe", () => void calls++);
    fm.hooks.onFailure.tap("probe", () => void calls++);
    await fm.register({ name: "wf", tasks: [{ name: "t", handler: () => 1 }] });
    await (await fm.start("wf")).result();
    expect(calls).toBe(0);
  });
});
