import { describe, expect, it } from "vitest";
import type { TaskContext } from "../../src/index.js";
import { useEngines } from "../support/engine.js";

const engine = useEngines();

describe("task context", () => {
  it("hands each handler the workflow input, its run id, task and workflow names, and attempt 1", async () => {
    const fm = engine();
    const seen: TaskContext[] = [];
    await fm.register({ name: "ctx", tasks: [{ name: "only", handler: (ctx) => void seen.push(ctx) }] });
    const input = { customer: 42, tags: ["a"] };
    const handle = await fm.start("ctx", input);
    await handle.result();
    expect(seen).toHaveLength(1);
    const ctx = seen[0]!;
    expect(ctx.input).toEqual(input);
    expect(ctx.runId).toBe(handle.id);
    expect(ctx.taskName).toBe("only");
    expect(ctx.workflow).toBe("ctx");
    expect(ctx.attempt).toBe(1);
  });

  it("gives `deps` the outputs of the task's own upstream tasks by name, and nothing else", async () => {
    const fm = engine();
    const deps: Record<string, Record<string, unknown>> = {};
    const keep = (ctx: TaskContext) => {
      deps[ctx.taskName] = { ...ctx.deps };
      return `${ctx.taskName}-out`;
    };
    await fm.register({
      name: "deps",
      tasks: [
        { name: "a", handler: keep },
        { name: "b", handler: keep },
        { name: "unrelated", handler: keep },
        { name: "c", dependsOn: ["a", "b"], handler: keep },
        { name: "d", dependsOn: ["c"], handler: keep },
      ],
    });
    await (await fm.start("deps")).result();
    expect(deps.a).toEqual({});
    expect(deps.c).toEqual({ a: "a-out", b: "b-out" });
    // Only direct upstream tasks: not a, b (transitive) nor unrelated.
    expect(deps.d).toEqual({ c: "c-out" });
  });

  it("provides an AbortSignal that is not aborted while the attempt runs normally", async () => {
    const fm = engine();
    let signal: AbortSignal | undefined;
    await fm.register({
      name: "sig",
      tasks: [
        {
          name: "t",
          handler: (ctx) => {
            signal = ctx.signal;
            return ctx.signal.aborted;
          },
        },
      ],
    });
    const outputs = await (await fm.start("sig")).result();
    expect(signal).toBeInstanceOf(AbortSignal);
    expect(outputs.t).toBe(false);
  });

  it("gives an idempotency key `${runId}:${taskName}` that stays the same across attempts", async () => {
    const fm = engine();
    const seen: { attempt: number; key: string; runId: string }[] = [];
    await fm.register({
      name: "idem",
      tasks: [
        {
          name: "charge",
          retry: { maxRetries: 2, baseDelay: "5ms", jitter: false },
          handler: (ctx) => {
            seen.push({ attempt: ctx.attempt, key: ctx.idempotencyKey, runId: ctx.runId });
            if (ctx.attempt < 3) throw new Error(`flaky ${ctx.attempt}`);
            return "charged";
          },
        },
      ],
    });
    const handle = await fm.start("idem");
    await handle.result();
    expect(seen.map((s) => s.attempt)).toEqual([1, 2, 3]);
    expect(new Set(seen.map((s) => s.key))).toEqual(new Set([`${handle.id}:charge`]));
    expect(seen.every((s) => s.runId === handle.id)).toBe(true);
  });

  it("gives distinct idempotency keys to different tasks and different runs", async () => {
    const fm = engine();
    const keys: string[] = [];
    const keep = (ctx: TaskContext) => void keys.push(ctx.idempotencyKey);
    await fm.register({
      name: "keys",
      tasks: [
        { name: "x", handler: keep },
        { name: "y", handler: keep },
      ],
    });
    await (await fm.start("keys")).result();
    await (await fm.start("keys")).result();
    expect(keys).toHaveLength(4);
    expect(new Set(keys).size).toBe(4);
  });

  it("provides a child logger with the pino methods", async () => {
    const fm = engine();
    let ok = false;
    await fm.register({
      name: "log",
      tasks: [
        {
          name: "t",
          handler: (ctx) => {
            ctx.logger.info({ rows: 3 }, "working");
            ok = typeof ctx.logger.child === "function" && typeof ctx.logger.error === "function";
          },
        },
      ],
    });
    await (await fm.start("log")).result();
    expect(ok).toBe(true);
  });
});
