import { describe, expect, it } from "vitest";
import { deferred, errorOf, sleep, useEngines } from "../support/engine.js";

const engine = useEngines();

describe("start and handles", () => {
  it("resolves handle.result() with every task's output by name", async () => {
    const fm = engine();
    await fm.register({
      name: "sum",
      tasks: [
        { name: "one", handler: () => 1 },
        { name: "two", handler: () => 2 },
        {
          name: "total",
          dependsOn: ["one", "two"],
          handler: (ctx) => (ctx.deps.one as number) + (ctx.deps.two as number),
        },
      ],
    });
    const handle = await fm.start("sum");
    expect(typeof handle.id).toBe("string");
    expect(handle.created).toBe(true);
    await expect(handle.result()).resolves.toEqual({ one: 1, two: 2, total: 3 });
  });

  it("rejects handle.result() with FM_ERR_RUN_FAILED carrying the run record", async () => {
    const fm = engine();
    await fm.register({
      name: "fails",
      tasks: [
        {
          name: "t",
          handler: () => {
            throw new Error("nope");
          },
        },
      ],
    });
    const handle = await fm.start("fails");
    const error = await errorOf(() => handle.result());
    expect(error.code).toBe("FM_ERR_RUN_FAILED");
    expect(error.message).toContain('workflow "fails" failed');
    expect((error.details!.run as { status: string }).status).toBe("failed");
  });

  it("rejects starting an unregistered workflow with FM_ERR_UNKNOWN_WORKFLOW naming it", async () => {
    const fm = engine();
    await fm.register({ name: "known", tasks: [{ name: "t", handler: () => 1 }] });
    const error = await errorOf(() => fm.start("unknown"));
    expect(error.code).toBe("FM_ERR_UNKNOWN_WORKFLOW");
    expect(error.message).toContain('"unknown"');
    expect(error.message).toContain('"known"');
  });

  it("runs the latest registered version unless a version is asked for", async () => {
    const fm = engine();
    await fm.register({ name: "v", version: 1, tasks: [{ name: "t", handler: () => "one" }] });
    await fm.register({ name: "v", version: 2, tasks: [{ name: "t", handler: () => "two" }] });
    expect(await (await fm.start("v")).result()).toEqual({ t: "two" });
    expect(await (await fm.start("v", undefined, { version: "1" })).result()).toEqual({ t: "one" });
  });
});

describe("getRun", () => {
  it("returns the run record with status, input, timings and per-task state", async () => {
    const fm = engine();
    const release = deferred();
    const running = deferred();
    await fm.register({
      name: "rec",
      tasks: [
        {
          name: "a",
          handler: async () => {
            running.resolve();
            await release.promise;
            return "A";
          },
        },
        { name: "b", dependsOn: ["a"], handler: () => "B" },
      ],
    });
    const before = Date.now();
    const handle = await fm.start("rec", { x: 1 }, { startedBy: "alice" });
    await running.promise;
    const mid = (await fm.getRun(handle.id))!;
    expect(mid.status).toBe("running");
    expect(mid.tasks.a!.status).toBe("running");
    expect(mid.tasks.b!.status).toBe("pending");

    release.resolve();
    await handle.result();
    const run = (await fm.getRun(handle.id))!;
    expect(run).toMatchObject({
      id: handle.id,
      workflow: "rec",
      version: "1",
      status: "succeeded",
      input: { x: 1 },
      startedBy: "alice",
      taskOrder: ["a", "b"],
    });
    expect(run.createdAt).toBeGreaterThanOrEqual(before);
    expect(run.startedAt!).toBeGreaterThanOrEqual(run.createdAt);
    expect(run.endedAt!).toBeGreaterThanOrEqual(run.startedAt!);
    expect(run.tasks.a).toMatchObject({ status: "succeeded", attempts: 1, output: "A", dependsOn: [] });
    expect(run.tasks.b).toMatchObject({ status: "succeeded", attempts: 1, output: "B", dependsOn: ["a"] });
    expect(run.tasks.a!.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("returns undefined for an unknown id", async () => {
    const fm = engine();
    expect(await fm.getRun("does-not-exist")).toBeUndefined();
  });
});

describe("listRuns", () => {
  async function seed(fm: ReturnType<ReturnType<typeof useEngines>>) {
    await fm.register({ name: "good", tasks: [{ name: "t", handler: () => 1 }] });
    await fm.register({
      name: "bad",
      tasks: [
        {
          name: "t",
          handler: () => {
            throw new Error("x");
          },
        },
      ],
    });
    const ids: string[] = [];
    for (const name of ["good", "bad", "good", "bad", "good"]) {
      const handle = await fm.start(name);
      await handle.wait();
      ids.push(handle.id);
      await sleep(2);
    }
    return ids;
  }

  it("lists runs newest first, filtered by workflow and status", async () => {
    const fm = engine();
    const ids = await seed(fm);
    const all = await fm.listRuns();
    expect(all.runs.map((r) => r.id)).toEqual([...ids].reverse());

    const good = await fm.listRuns({ workflow: "good" });
    expect(good.runs.map((r) => r.id)).toEqual([ids[4], ids[2], ids[0]]);

    const failed = await fm.listRuns({ status: "failed" });
    expect(failed.runs.map((r) => r.id)).toEqual([ids[3], ids[1]]);
    expect(failed.runs.every((r) => r.workflow === "bad")).toBe(true);

    const either = await fm.listRuns({ status: ["failed", "succeeded"], workflow: "bad" });
    expect(either.runs).toHaveLength(2);
    expect(await fm.listRuns({ status: "cancelled" })).toEqual({ runs: [] });
  });

  it("filters by creation time", async () => {
    const fm = engine();
    const ids = await seed(fm);
    const third = (await fm.getRun(ids[2]!))!;
    const newer = await fm.listRuns({ createdAfter: third.createdAt });
    expect(newer.runs.map((r) => r.id)).toEqual([ids[4], ids[3], ids[2]]);
    const older = await fm.listRuns({ createdBefore: third.createdAt });
    expect(older.runs.map((r) => r.id)).toEqual([ids[1], ids[0]]);
  });

  it("pages with limit and nextCursor", async () => {
    const fm = engine();
    const ids = await seed(fm);
    const page1 = await fm.listRuns({ limit: 2 });
    expect(page1.runs.map((r) => r.id)).toEqual([ids[4], ids[3]]);
    expect(page1.nextCursor).toBeDefined();
    const page2 = await fm.listRuns({ limit: 2, cursor: page1.nextCursor! });
    expect(page2.runs.map((r) => r.id)).toEqual([ids[2], ids[1]]);
    const page3 = await fm.listRuns({ limit: 2, cursor: page2.nextCursor! });
    expect(page3.runs.map((r) => r.id)).toEqual([ids[0]]);
    expect(page3.nextCursor).toBeUndefined();
  });
});
