import { describe, expect, it } from "vitest";
import { errorOf, sleep, useEngines } from "../support/engine.js";

const engine = useEngines();

describe("failure semantics", () => {
  it("marks everything downstream of a finally failed task upstream_failed and never runs it", async () => {
    const fm = engine();
    const ran: string[] = [];
    const ok = (name: string) => () => void ran.push(name);
    await fm.register({
      name: "broken",
      tasks: [
        { name: "a", handler: ok("a") },
        {
          name: "b",
          dependsOn: ["a"],
          handler: () => {
            ran.push("b");
            throw new Error("b exploded");
          },
        },
        { name: "c", dependsOn: ["b"], handler: ok("c") },
        { name: "d", dependsOn: ["c", "a"], handler: ok("d") },
      ],
    });
    const run = await (await fm.start("broken")).wait();
    await sleep(20);
    expect(ran).toEqual(["a", "b"]);
    expect(run.tasks.a!.status).toBe("succeeded");
    expect(run.tasks.b!.status).toBe("failed");
    expect(run.tasks.c!.status).toBe("upstream_failed");
    expect(run.tasks.d!.status).toBe("upstream_failed");
    expect(run.tasks.c!.attempts).toBe(0);
    expect(run.tasks.d!.attempts).toBe(0);
  });

  it("lets independent branches finish after a task failed, then ends the run failed", async () => {
    const fm = engine();
    const log: string[] = [];
    await fm.register({
      name: "branches",
      tasks: [
        {
          name: "bad",
          handler: () => {
            log.push("bad failed");
            throw new Error("kaput");
          },
        },
        { name: "bad_child", dependsOn: ["bad"], handler: () => void log.push("bad_child") },
        {
          name: "slow",
          handler: async () => {
            await sleep(60);
            log.push("slow done");
            return "slow-out";
          },
        },
        { name: "slow_child", dependsOn: ["slow"], handler: (ctx) => `${String(ctx.deps.slow)}+child` },
      ],
    });
    const handle = await fm.start("branches");
    const run = await handle.wait();
    expect(log).toEqual(["bad failed", "slow done"]);
    expect(run.status).toBe("failed");
    expect(run.tasks.slow!.status).toBe("succeeded");
    expect(run.tasks.slow_child!.status).toBe("succeeded");
    expect(run.tasks.slow_child!.output).toBe("slow-out+child");
    expect(run.tasks.bad_child!.status).toBe("upstream_failed");
    // The run ends only once the independent branch is done.
    expect(run.endedAt!).toBeGreaterThanOrEqual(run.tasks.slow_child!.endedAt!);
  });

  it("records the failing task and its error on the run", async () => {
    const fm = engine();
    await fm.register({
      name: "recorded",
      tasks: [
        { name: "ok", handler: () => 1 },
        {
          name: "load_warehouse",
          dependsOn: ["ok"],
          handler: () => {
            throw new TypeError("warehouse is read-only");
          },
        },
      ],
    });
    const handle = await fm.start("recorded");
    const run = await handle.wait();
    expect(run.status).toBe("failed");
    expect(run.error).toMatchObject({
      task: "load_warehouse",
      name: "TypeError",
      message: "warehouse is read-only",
    });
    expect(run.tasks.load_warehouse!.error).toMatchObject({
      name: "TypeError",
      message: "warehouse is read-only",
    });

    const error = await errorOf(() => handle.result());
    expect(error.code).toBe("FM_ERR_RUN_FAILED");
    expect(error.message).toContain('task "load_warehouse" failed');
    expect(error.message).toContain("warehouse is read-only");
    expect(error.details).toMatchObject({ runId: handle.id, status: "failed", task: "load_warehouse" });
  });

  it("records a rejected non-Error value as the task's error", async () => {
    const fm = engine();
    await fm.register({
      name: "weird",
      tasks: [
        {
          name: "t",
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
          handler: () => Promise.reject("plain rejection"),
        },
      ],
    });
    const run = await (await fm.start("weird")).wait();
    expect(run.status).toBe("failed");
    expect(run.tasks.t!.error!.message).toBe("plain rejection");
  });

  it("records a thrown non-Error value the same way whether or not the task has a timeout", async () => {
    const fm = engine();
    const thrown = { status: 503, reason: "upstream unavailable" };
    const reject = () => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw thrown;
    };
    await fm.register({
      name: "objects",
      tasks: [
        { name: "plain", handler: reject },
        { name: "timed", timeout: "1s", handler: reject },
      ],
    });
    const run = await (await fm.start("objects")).wait();
    expect(run.tasks.plain!.error!.message).toContain("upstream unavailable");
    expect(run.tasks.timed!.error!.message).toContain("upstream unavailable");
  });
});
