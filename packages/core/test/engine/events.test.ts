import { describe, expect, it } from "vitest";
import type { FlowMesh } from "../../src/index.js";
import { useEngines } from "../support/engine.js";

const engine = useEngines();

/** Records every typed event the engine emits, as `type:task` strings. */
function recordEvents(fm: FlowMesh): { log: string[]; payloads: { type: string; payload: unknown }[] } {
  const log: string[] = [];
  const payloads: { type: string; payload: unknown }[] = [];
  fm.events.on("run:created", (e) => {
    log.push("run:created");
    payloads.push({ type: "run:created", payload: e });
  });
  fm.events.on("task:started", (e) => {
    log.push(`task:started:${e.task}`);
    payloads.push({ type: "task:started", payload: e });
  });
  fm.events.on("task:succeeded", (e) => {
    log.push(`task:succeeded:${e.task}`);
    payloads.push({ type: "task:succeeded", payload: e });
  });
  fm.events.on("task:failed", (e) => {
    log.push(`task:failed:${e.task}:${e.final ? "final" : "retry"}`);
    payloads.push({ type: "task:failed", payload: e });
  });
  fm.events.on("task:retrying", (e) => {
    log.push(`task:retrying:${e.task}`);
    payloads.push({ type: "task:retrying", payload: e });
  });
  fm.events.on("run:finished", (e) => {
    log.push(`run:finished:${e.run.status}`);
    payloads.push({ type: "run:finished", payload: e });
  });
  return { log, payloads };
}

describe("typed events", () => {
  it("emits run:created, task:started/succeeded per task and run:finished, in order", async () => {
    const fm = engine();
    const { log, payloads } = recordEvents(fm);
    await fm.register({
      name: "chain",
      tasks: [
        { name: "a", handler: () => "A" },
        { name: "b", dependsOn: ["a"], handler: () => "B" },
      ],
    });
    const handle = await fm.start("chain", { n: 1 });
    await handle.result();
    expect(log).toEqual([
      "run:created",
      "task:started:a",
      "task:succeeded:a",
      "task:started:b",
      "task:succeeded:b",
      "run:finished:succeeded",
    ]);
    expect(payloads[0]!.payload).toEqual({ runId: handle.id, workflow: "chain", version: "1" });
    expect(payloads[1]!.payload).toMatchObject({
      runId: handle.id,
      workflow: "chain",
      task: "a",
      attempt: 1,
    });
    const succeeded = payloads[2]!.payload as { durationMs: number; skipped: boolean };
    expect(succeeded.skipped).toBe(false);
    expect(succeeded.durationMs).toBeGreaterThanOrEqual(0);
    const finished = payloads[5]!.payload as {
      run: { id: string; status: string; tasks: Record<string, { output?: unknown }> };
    };
    expect(finished.run.id).toBe(handle.id);
    expect(finished.run.tasks.b!.output).toBe("B");
  });

  // With no delay the retry is due at once: a claim between recording the failure and emitting its
  // events would start it first.
  it.each([5, 0])(
    "emits task:failed, task:retrying and a final task:failed for a task that runs out of retries (retry delay %i ms), in order",
    async (delayMs) => {
      const fm = engine();
      const { log, payloads } = recordEvents(fm);
      await fm.register({
        name: "flaky",
        tasks: [
          {
            name: "t",
            retry: { maxRetries: 1, baseDelay: `${delayMs}ms`, jitter: false },
            handler: () => {
              throw new Error("nope");
            },
          },
        ],
      });
      await (await fm.start("flaky")).wait();
      expect(log).toEqual([
        "run:created",
        "task:started:t",
        "task:failed:t:retry",
        "task:retrying:t",
        "task:started:t",
        "task:failed:t:final",
        "run:finished:failed",
      ]);
      const retrying = payloads.find((p) => p.type === "task:retrying")!.payload as {
        delayMs: number;
        attempt: number;
      };
      expect(retrying).toMatchObject({ delayMs, attempt: 1 });
      const final = payloads.filter((p) => p.type === "task:failed")[1]!.payload as {
        attempt: number;
        timedOut: boolean;
      };
      expect(final).toMatchObject({ attempt: 2, timedOut: false });
    },
  );

  it("marks timeouts in task:failed", async () => {
    const fm = engine();
    const failures: boolean[] = [];
    fm.events.on("task:failed", (e) => failures.push(e.timedOut));
    await fm.register({
      name: "slow",
      tasks: [
        { name: "t", timeout: "20ms", handler: () => new Promise((resolve) => setTimeout(resolve, 200)) },
      ],
    });
    await (await fm.start("slow")).wait();
    expect(failures).toEqual([true]);
  });
});

describe("event log (readEvents)", () => {
  it("records a run's events in order with increasing ids", async () => {
    const fm = engine();
    await fm.register({
      name: "logged",
      tasks: [
        { name: "a", handler: () => 1 },
        {
          name: "b",
          dependsOn: ["a"],
          retry: { maxRetries: 1, baseDelay: "1ms", jitter: false },
          handler: (ctx) => {
            if (ctx.attempt === 1) throw new Error("first try");
            return 2;
          },
        },
      ],
    });
    const handle = await fm.start("logged");
    await handle.result();
    const events = await fm.readEvents(handle.id);
    expect(events.map((e) => (e.task === undefined ? e.type : `${e.type}:${e.task}#${e.attempt}`))).toEqual([
      "run:created",
      "run:started",
      "task:started:a#1",
      "task:succeeded:a#1",
      "task:started:b#1",
      "task:retrying:b#1",
      "task:started:b#2",
      "task:succeeded:b#2",
      "run:succeeded",
    ]);
    const ids = events.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(new Set(ids).size).toBe(ids.length);
    expect(events.every((e) => e.runId === handle.id)).toBe(true);
    const at = events.map((e) => e.at);
    expect(at).toEqual([...at].sort((x, y) => x - y));
    expect(events.find((e) => e.type === "task:retrying")!.error).toMatchObject({ message: "first try" });
  });

  it("resumes after a given event id", async () => {
    const fm = engine();
    await fm.register({ name: "small", tasks: [{ name: "a", handler: () => 1 }] });
    const handle = await fm.start("small");
    await handle.result();
    const all = await fm.readEvents(handle.id);
    const rest = await fm.readEvents(handle.id, { after: all[1]!.id });
    expect(rest).toEqual(all.slice(2));
  });

  it("logs upstream_failed and the run's end for a failed run", async () => {
    const fm = engine();
    await fm.register({
      name: "failing",
      tasks: [
        {
          name: "a",
          handler: () => {
            throw new Error("x");
          },
        },
        { name: "b", dependsOn: ["a"], handler: () => 1 },
      ],
    });
    const handle = await fm.start("failing");
    await handle.wait();
    const types = (await fm.readEvents(handle.id)).map((e) => e.type);
    expect(types.slice(-3)).toEqual(["task:failed", "task:upstream_failed", "run:failed"]);
  });
});
