import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { createLogger, MemoryCoordinator } from "../../src/index.js";
import type { Logger } from "../../src/index.js";
import { LineCapture, sleep, useEngines } from "../support/engine.js";
import { SlowCoordinator } from "../support/slow-coordinator.js";

const engine = useEngines();

describe("JSON logs", () => {
  it("writes one JSON object per line with timestamp, level and message", async () => {
    const out = new LineCapture();
    const fm = engine({ logger: createLogger({ destination: out, level: "info" }) });
    await fm.register({ name: "wf", tasks: [{ name: "t", handler: () => 1 }] });
    await (await fm.start("wf")).result();
    expect(out.lines.length).toBeGreaterThan(0);
    for (const line of out.lines) {
      expect(typeof line.timestamp).toBe("string");
      expect(Number.isNaN(Date.parse(line.timestamp as string))).toBe(false);
      expect(typeof line.level).toBe("string");
      expect(typeof line.message).toBe("string");
    }
  });

  it("logs a run's end at info with workflow_id and duration_ms", async () => {
    const out = new LineCapture();
    const fm = engine({ logger: createLogger({ destination: out, level: "info" }) });
    await fm.register({ name: "wf", tasks: [{ name: "t", handler: () => 1 }] });
    const handle = await fm.start("wf");
    await handle.result();
    const end = out.lines.find((l) => l.workflow_id === handle.id && l.message === "run succeeded");
    expect(end).toMatchObject({ level: "info", workflow_id: handle.id });
    expect(typeof end!.duration_ms).toBe("number");
  });

  it("logs a succeeded run with the times that came with the outcome ending it: no read", async () => {
    const out = new LineCapture();
    const slow = new SlowCoordinator(new MemoryCoordinator());
    slow.timesWithOutcome = true;
    const fm = engine({ backend: slow, logger: createLogger({ destination: out, level: "info" }) });
    await fm.register({ name: "wf", tasks: [{ name: "t", handler: () => 1 }] });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await fm.start("wf")).id);
    for (const id of ids) {
      await fm.handle(id).wait();
    }
    const reads = slow.count("getResult");
    await sleep(20);
    for (const id of ids) {
      const end = out.lines.find((l) => l.workflow_id === id && l.message === "run succeeded");
      const run = await slow.target.getRun(id);
      expect(end?.duration_ms).toBe(run!.endedAt! - run!.startedAt!);
    }
    // Only the waits above read results: the three log lines did not.
    expect(slow.count("getResult")).toBe(reads);
    expect(reads).toBeLessThanOrEqual(ids.length);
  });

  it("logs each task's outcome with workflow_id, task_name and duration_ms", async () => {
    const out = new LineCapture();
    const fm = engine({ logger: createLogger({ destination: out, level: "debug" }) });
    await fm.register({
      name: "wf",
      tasks: [
        { name: "good", handler: () => 1 },
        {
          name: "bad",
          handler: () => {
            throw new Error("broken pipe");
          },
        },
      ],
    });
    const handle = await fm.start("wf");
    await handle.wait();
    const good = out.lines.find((l) => l.task_name === "good" && l.message === "task succeeded");
    expect(good).toMatchObject({ level: "debug", workflow_id: handle.id, task_name: "good" });
    expect(typeof good!.duration_ms).toBe("number");
    expect(typeof good!.timestamp).toBe("string");

    const bad = out.lines.find((l) => l.task_name === "bad" && l.message === "task failed");
    expect(bad).toMatchObject({ level: "warn", workflow_id: handle.id, task_name: "bad" });
    expect(typeof bad!.duration_ms).toBe("number");

    const end = out.lines.find((l) => l.message === "run failed");
    expect(end).toMatchObject({ level: "warn", workflow_id: handle.id });
  });

  it("logs a retried attempt with the delay before the next one", async () => {
    const out = new LineCapture();
    const fm = engine({ logger: createLogger({ destination: out, level: "info" }) });
    await fm.register({
      name: "wf",
      tasks: [
        {
          name: "flaky",
          retry: { maxRetries: 1, baseDelay: "5ms", jitter: false },
          handler: (ctx) => {
            if (ctx.attempt === 1) throw new Error("once");
          },
        },
      ],
    });
    const handle = await fm.start("wf");
    await handle.result();
    const retry = out.lines.find((l) => l.task_name === "flaky" && String(l.message).includes("retrying"));
    expect(retry).toMatchObject({ workflow_id: handle.id, attempt: 1, delay_ms: 5 });
    expect(typeof retry!.duration_ms).toBe("number");
  });

  it("gives handlers a child logger that carries workflow_id and task_name", async () => {
    const out = new LineCapture();
    const fm = engine({ logger: createLogger({ destination: out, level: "info" }) });
    await fm.register({
      name: "wf",
      tasks: [{ name: "extract", handler: (ctx) => ctx.logger.info({ rows: 12 }, "extracted rows") }],
    });
    const handle = await fm.start("wf");
    await handle.result();
    const line = out.lines.find((l) => l.message === "extracted rows");
    expect(line).toMatchObject({ level: "info", workflow_id: handle.id, task_name: "extract", rows: 12 });
    expect(typeof line!.timestamp).toBe("string");
  });

  it("accepts an injected pino-compatible logger", async () => {
    const out = new LineCapture();
    const injected = pino({ level: "info" }, out) as unknown as Logger;
    const fm = engine({ logger: injected });
    expect(fm.logger).toBe(injected);
    await fm.register({
      name: "wf",
      tasks: [{ name: "t", handler: (ctx) => ctx.logger.info("from the task") }],
    });
    const handle = await fm.start("wf");
    await handle.result();
    expect(out.lines.find((l) => l.msg === "from the task")).toMatchObject({
      workflow_id: handle.id,
      task_name: "t",
    });
  });

  it("writes nothing at level silent", async () => {
    const out = new LineCapture();
    const fm = engine({ logger: createLogger({ destination: out, level: "silent" }) });
    await fm.register({
      name: "wf",
      tasks: [
        {
          name: "t",
          handler: (ctx) => {
            ctx.logger.error("ignored");
            throw new Error("also ignored");
          },
        },
      ],
    });
    await (await fm.start("wf")).wait();
    expect(out.lines).toEqual([]);
  });
});
