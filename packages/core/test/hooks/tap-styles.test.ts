import { describe, expect, it } from "vitest";
import { FlowMeshError } from "../../src/index.js";
import type { FlowMesh, WorkflowStartInfo } from "../../src/index.js";
import { errorOf, useEngines } from "../support/engine.js";

const engine = useEngines();

/** Registers a one-task workflow `wf` whose handler counts its calls. */
async function oneTask(fm: FlowMesh): Promise<{ calls: () => number }> {
  let calls = 0;
  await fm.register({ name: "wf", tasks: [{ name: "t", retry: 0, handler: () => ++calls }] });
  return { calls: () => calls };
}

/** Runs `wf` and returns the final record and the raw error of its failed attempt, if any. */
async function runOnce(fm: FlowMesh) {
  const errors: unknown[] = [];
  fm.events.on("task:failed", ({ error }) => errors.push(error));
  const run = await (await fm.start("wf")).wait();
  return { run, error: errors[0] as FlowMeshError | undefined };
}

type Style =
  "async callback error" | "sync throw in tapAsync" | "sync throw in tapPromise" | "sync tap throw";

/** Taps `hook` with a function of the given style that fails with `new Error(message)`. */
function tapFailing(fm: FlowMesh, hook: "beforeWorkflow" | "beforeTask", style: Style, name: string): void {
  const message = `${name} broke`;
  const h = fm.hooks[hook] as FlowMesh["hooks"]["beforeWorkflow"];
  switch (style) {
    case "async callback error":
      h.tapAsync(name, (_arg, callback) => {
        setTimeout(() => callback(new Error(message)), 5);
      });
      return;
    case "sync throw in tapAsync":
      h.tapAsync(name, () => {
        throw new Error(message);
      });
      return;
    case "sync throw in tapPromise":
      // Not an async function: it throws before returning any promise.
      h.tapPromise(name, () => {
        throw new Error(message);
      });
      return;
    case "sync tap throw":
      h.tap(name, () => {
        throw new Error(message);
      });
      return;
  }
}

const STYLES: Style[] = [
  "async callback error",
  "sync throw in tapAsync",
  "sync throw in tapPromise",
  "sync tap throw",
];

describe("tap styles: errors are wrapped as FM_ERR_HOOK naming the tap and the hook", () => {
  it.each(STYLES)(
    "beforeWorkflow, %s: start() rejects with FM_ERR_HOOK and no run is created",
    async (style) => {
      const fm = engine();
      await oneTask(fm);
      tapFailing(fm, "beforeWorkflow", style, "gate");
      const error = await errorOf(() => fm.start("wf"));
      expect(error.code).toBe("FM_ERR_HOOK");
      expect(error.details).toEqual({ plugin: "gate", hook: "beforeWorkflow" });
      expect(error.message).toContain('plugin "gate" failed in hook "beforeWorkflow": gate broke');
      expect(error.cause).toBeInstanceOf(Error);
      expect((error.cause as Error).message).toBe("gate broke");
      expect((await fm.listRuns()).runs).toEqual([]);
    },
  );

  it.each(STYLES)(
    "beforeTask, %s: the attempt fails with FM_ERR_HOOK and the handler never runs",
    async (style) => {
      const fm = engine();
      const { calls } = await oneTask(fm);
      tapFailing(fm, "beforeTask", style, "guard");
      const { run, error } = await runOnce(fm);
      expect(calls()).toBe(0);
      expect(run.status).toBe("failed");
      expect(run.tasks.t).toMatchObject({ status: "failed", attempts: 1 });
      expect(run.tasks.t!.error).toMatchObject({ code: "FM_ERR_HOOK", cause: { message: "guard broke" } });
      expect(run.tasks.t!.error!.message).toContain(
        'plugin "guard" failed in hook "beforeTask": guard broke',
      );
      expect(error).toBeInstanceOf(FlowMeshError);
      expect(error!.code).toBe("FM_ERR_HOOK");
      expect(error!.details).toEqual({ plugin: "guard", hook: "beforeTask" });
    },
  );

  it("names the tap that failed, not the ones of other styles that ran before it", async () => {
    const fm = engine();
    await oneTask(fm);
    const ran: string[] = [];
    fm.hooks.beforeWorkflow.tapAsync("first", (_info, callback) => {
      ran.push("first");
      setTimeout(() => callback(), 5);
    });
    fm.hooks.beforeWorkflow.tap("second", () => void ran.push("second"));
    fm.hooks.beforeWorkflow.tapPromise("third", () => {
      ran.push("third");
      throw new Error("third broke");
    });
    fm.hooks.beforeWorkflow.tap("fourth", () => void ran.push("fourth"));
    const error = await errorOf(() => fm.start("wf"));
    expect(ran).toEqual(["first", "second", "third"]);
    expect(error.details).toEqual({ plugin: "third", hook: "beforeWorkflow" });
  });

  it("wraps a non-Error rejection with its text", async () => {
    const fm = engine();
    await oneTask(fm);
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    fm.hooks.beforeWorkflow.tapPromise("stringly", () => Promise.reject("quota exceeded"));
    const error = await errorOf(() => fm.start("wf"));
    expect(error.code).toBe("FM_ERR_HOOK");
    expect(error.details).toEqual({ plugin: "stringly", hook: "beforeWorkflow" });
    expect(error.message).toContain('plugin "stringly" failed in hook "beforeWorkflow": quota exceeded');
    expect(error.cause).toBe("quota exceeded");
  });

  it("passes an FM_ERR_HOOK error through unchanged instead of wrapping it again", async () => {
    const fm = engine();
    await oneTask(fm);
    const inner = new FlowMeshError("FM_ERR_HOOK", "already wrapped", {
      details: { plugin: "inner", hook: "authorize" },
    });
    fm.hooks.beforeWorkflow.tapAsync("outer", (_info, callback) => callback(inner));
    const error = await errorOf(() => fm.start("wf"));
    expect(error).toBe(inner);
    expect(error.details).toEqual({ plugin: "inner", hook: "authorize" });
  });
});

describe("tap styles: successful taps work like tapPromise", () => {
  it("waits for a tapAsync beforeWorkflow callback and keeps the input it changed", async () => {
    const fm = engine();
    await fm.register({ name: "wf", tasks: [{ name: "t", handler: (ctx) => ctx.input }] });
    fm.hooks.beforeWorkflow.tapAsync("enrich", (info: WorkflowStartInfo, callback) => {
      setTimeout(() => {
        info.input = { enriched: true };
        info.startedBy = "enricher";
        callback();
      }, 10);
    });
    const handle = await fm.start("wf", { enriched: false });
    const run = await handle.wait();
    expect(run.input).toEqual({ enriched: true });
    expect(run.startedBy).toBe("enricher");
    expect(run.tasks.t!.output).toEqual({ enriched: true });
  });

  it("passes a tapAsync beforeTask callback's decision through: the task is skipped with its output", async () => {
    const fm = engine();
    const { calls } = await oneTask(fm);
    fm.hooks.beforeTask.tapAsync("cache", (ctx, callback) => {
      setTimeout(() => callback(null, { skip: true, output: `cached ${ctx.taskName}` }), 5);
    });
    const { run } = await runOnce(fm);
    expect(calls()).toBe(0);
    expect(run.status).toBe("succeeded");
    expect(run.tasks.t).toMatchObject({ status: "skipped", output: "cached t" });
  });

  it("lets the task run when a tapAsync beforeTask calls back with nothing", async () => {
    const fm = engine();
    const { calls } = await oneTask(fm);
    const seen: string[] = [];
    fm.hooks.beforeTask.tapAsync("audit", (ctx, callback) => {
      seen.push(`${ctx.taskName}#${ctx.attempt}`);
      setTimeout(() => callback(), 5);
    });
    const { run } = await runOnce(fm);
    expect(seen).toEqual(["t#1"]);
    expect(calls()).toBe(1);
    expect(run.tasks.t).toMatchObject({ status: "succeeded", output: 1 });
  });

  it("bails on a sync beforeTask tap's returned decision", async () => {
    const fm = engine();
    const { calls } = await oneTask(fm);
    fm.hooks.beforeTask.tap("policy", (ctx) => (ctx.taskName === "t" ? { refuse: "frozen" } : undefined));
    const { run, error } = await runOnce(fm);
    expect(calls()).toBe(0);
    expect(run.tasks.t).toMatchObject({ status: "failed", attempts: 1 });
    expect(error!.code).toBe("FM_ERR_TASK_REFUSED");
    expect(error!.message).toContain("frozen");
  });
});
