import { describe, expect, it } from "vitest";
import type { RunRecord, WorkflowStartInfo } from "../../src/index.js";
import { abortableSleep, deferred, errorOf, useEngines } from "../support/engine.js";

const engine = useEngines();

describe("beforeWorkflow", () => {
  it("sees the run about to be created and may change its input and startedBy", async () => {
    const fm = engine();
    const seen: WorkflowStartInfo[] = [];
    fm.hooks.beforeWorkflow.tapPromise("enrich", async (info) => {
      seen.push({ ...info });
      info.input = { ...(info.input as object), enriched: true };
      info.startedBy = "hook";
    });
    let handlerInput: unknown;
    await fm.register({ name: "wf", tasks: [{ name: "t", handler: (ctx) => (handlerInput = ctx.input) }] });
    const handle = await fm.start("wf", { user: 1 }, { idempotencyKey: "k1" });
    await handle.result();
    expect(seen).toEqual([
      {
        runId: handle.id,
        workflow: "wf",
        version: "1",
        input: { user: 1 },
        startedBy: undefined,
        idempotencyKey: "k1",
      },
    ]);
    expect(handlerInput).toEqual({ user: 1, enriched: true });
    const run = (await fm.getRun(handle.id))!;
    expect(run.input).toEqual({ user: 1, enriched: true });
    expect(run.startedBy).toBe("hook");
  });

  it("refuses a run by throwing: start rejects with FM_ERR_HOOK naming plugin and hook, and no run exists", async () => {
    const fm = engine();
    let calls = 0;
    fm.hooks.beforeWorkflow.tapPromise("quota", async () => {
      throw new Error("quota exceeded");
    });
    await fm.register({ name: "wf", tasks: [{ name: "t", handler: () => ++calls }] });
    const error = await errorOf(() => fm.start("wf", {}));
    expect(error.code).toBe("FM_ERR_HOOK");
    expect(error.message).toContain('plugin "quota"');
    expect(error.message).toContain('hook "beforeWorkflow"');
    expect(error.message).toContain("quota exceeded");
    expect(error.details).toMatchObject({ plugin: "quota", hook: "beforeWorkflow" });
    expect((error.cause as Error).message).toBe("quota exceeded");
    expect((await fm.listRuns()).runs).toHaveLength(0);
    expect(calls).toBe(0);
  });

  it("runs taps in series, each seeing the previous one's change", async () => {
    const fm = engine();
    fm.hooks.beforeWorkflow.tapPromise("first", async (info) => {
      info.input = [...(info.input as string[]), "first"];
    });
    fm.hooks.beforeWorkflow.tap("second", (info) => {
      info.input = [...(info.input as string[]), "second"];
    });
    await fm.register({ name: "wf", tasks: [{ name: "t", handler: (ctx) => ctx.input }] });
    expect(await (await fm.start("wf", ["start"])).result()).toEqual({ t: ["start", "first", "second"] });
  });
});

describe("afterWorkflow and onWorkflowFailure", () => {
  it("calls afterWorkflow once with the final record of a succeeded run, and not onWorkflowFailure", async () => {
    const fm = engine();
    const after: RunRecord[] = [];
    const failures: RunRecord[] = [];
    fm.hooks.afterWorkflow.tapPromise("audit", async (run) => void after.push(run));
    fm.hooks.onWorkflowFailure.tapPromise("pager", async (run) => void failures.push(run));
    await fm.register({ name: "wf", tasks: [{ name: "t", handler: () => "out" }] });
    const handle = await fm.start("wf");
    await handle.result();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ id: handle.id, status: "succeeded" });
    expect(after[0]!.tasks.t!.output).toBe("out");
    expect(failures).toHaveLength(0);
  });

  it("calls afterWorkflow and onWorkflowFailure once each for a failed run, with the error and failing task", async () => {
    const fm = engine();
    const after: RunRecord[] = [];
    const failures: RunRecord[] = [];
    fm.hooks.afterWorkflow.tapPromise("audit", async (run) => void after.push(run));
    fm.hooks.onWorkflowFailure.tapPromise("pager", async (run) => void failures.push(run));
    await fm.register({
      name: "wf",
      tasks: [
        {
          name: "t",
          handler: () => {
            throw new Error("down");
          },
        },
      ],
    });
    const handle = await fm.start("wf");
    await handle.wait();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(after.map((r) => r.status)).toEqual(["failed"]);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      id: handle.id,
      status: "failed",
      error: { task: "t", message: "down" },
    });
  });

  it("calls onWorkflowFailure for a timed-out run and afterWorkflow for a cancelled one", async () => {
    const fm = engine();
    const after: string[] = [];
    const failures: string[] = [];
    fm.hooks.afterWorkflow.tap("audit", (run) => void after.push(run.status));
    fm.hooks.onWorkflowFailure.tap("pager", (run) => void failures.push(run.status));
    const running = deferred();
    await fm.register({
      name: "slow",
      timeout: "40ms",
      tasks: [{ name: "t", handler: (ctx) => abortableSleep(2000, ctx.signal) }],
    });
    await fm.register({
      name: "cancellable",
      tasks: [
        {
          name: "t",
          handler: (ctx) => {
            running.resolve();
            return abortableSleep(2000, ctx.signal);
          },
        },
      ],
    });
    expect((await (await fm.start("slow")).wait()).status).toBe("timed_out");
    const handle = await fm.start("cancellable");
    await running.promise;
    await handle.cancel();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(after).toEqual(["timed_out", "cancelled"]);
    expect(failures).toEqual(["timed_out"]);
  });
});
