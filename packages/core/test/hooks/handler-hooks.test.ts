import { describe, expect, it } from "vitest";
import type { HandlerRequest, TaskHandler, WrapInfo } from "../../src/index.js";
import { errorOf, useEngines } from "../support/engine.js";

const engine = useEngines();

describe("resolveHandler", () => {
  it("resolves string handler references (and tasks without a handler, by name) at registration", async () => {
    const fm = engine();
    const requests: HandlerRequest[] = [];
    const library: Record<string, TaskHandler> = {
      "lib#extract": () => "extracted",
      load: (ctx) => `loaded ${String(ctx.deps.extract)}`,
    };
    fm.hooks.resolveHandler.tapPromise("library", async (request) => {
      requests.push(request);
      return library[request.ref];
    });
    await fm.register(
      {
        name: "refs",
        tasks: [
          { name: "extract", handler: "lib#extract" },
          { name: "load", dependsOn: ["extract"] },
          { name: "inline", handler: () => "inline" },
        ],
      },
      { source: "/defs/refs.yaml" },
    );
    expect(requests.map((r) => [r.workflow, r.task.name, r.ref, r.source])).toEqual([
      ["refs", "extract", "lib#extract", "/defs/refs.yaml"],
      ["refs", "load", "load", "/defs/refs.yaml"],
    ]);
    expect(await (await fm.start("refs")).result()).toEqual({
      extract: "extracted",
      load: "loaded extracted",
      inline: "inline",
    });
  });

  it("takes the first tap's answer", async () => {
    const fm = engine();
    const asked: string[] = [];
    fm.hooks.resolveHandler.tapPromise("first", async (request) => {
      asked.push("first");
      return request.ref === "a" ? () => "from first" : undefined;
    });
    fm.hooks.resolveHandler.tapPromise("second", async () => {
      asked.push("second");
      return () => "from second";
    });
    await fm.register({
      name: "wf",
      tasks: [
        { name: "x", handler: "a" },
        { name: "y", handler: "b" },
      ],
    });
    expect(asked).toEqual(["first", "first", "second"]);
    expect(await (await fm.start("wf")).result()).toEqual({ x: "from first", y: "from second" });
  });

  it("rejects register with FM_ERR_UNRESOLVED_HANDLER listing every unresolved task", async () => {
    const fm = engine();
    fm.hooks.resolveHandler.tapPromise("partial", async (request) =>
      request.ref === "known" ? () => 1 : undefined,
    );
    const error = await errorOf(() =>
      fm.register({
        name: "missing",
        tasks: [
          { name: "a", handler: "known" },
          { name: "b", handler: "./jobs.js#b" },
          { name: "c", dependsOn: ["a"] },
        ],
      }),
    );
    expect(error.code).toBe("FM_ERR_UNRESOLVED_HANDLER");
    expect(error.message).toContain('task "b" (handler "./jobs.js#b")');
    expect(error.message).toContain('task "c" (handler "c")');
    expect(error.message).not.toContain('task "a"');
    expect(error.details).toMatchObject({
      workflow: "missing",
      unresolved: [
        { task: "b", ref: "./jobs.js#b" },
        { task: "c", ref: "c" },
      ],
    });
    expect(fm.workflows()).toHaveLength(0);
  });

  it("rejects unresolved references when nothing taps resolveHandler", async () => {
    const fm = engine();
    const error = await errorOf(() =>
      fm.register({ name: "bare", tasks: [{ name: "t", handler: "somewhere" }] }),
    );
    expect(error.code).toBe("FM_ERR_UNRESOLVED_HANDLER");
    expect(error.message).toContain('task "t"');
  });
});

describe("wrapHandler", () => {
  it("wraps each task's handler once at registration, not per run or attempt", async () => {
    const fm = engine();
    const wrapped: WrapInfo[] = [];
    const calls: string[] = [];
    fm.hooks.wrapHandler.tap("tracing", (handler: TaskHandler, info: WrapInfo) => {
      wrapped.push(info);
      return async (ctx) => {
        calls.push(`enter ${info.task.name}`);
        const output = await handler(ctx);
        calls.push(`exit ${info.task.name}`);
        return { traced: output };
      };
    });
    await fm.register({
      name: "traced",
      version: 3,
      tasks: [
        { name: "a", handler: () => "A" },
        {
          name: "b",
          dependsOn: ["a"],
          retry: { maxRetries: 1, baseDelay: "1ms", jitter: false },
          handler: (ctx) => {
            if (ctx.attempt === 1) throw new Error("retry me");
            return ctx.deps.a;
          },
        },
      ],
    });
    expect(wrapped.map((w) => [w.workflow, w.version, w.task.name])).toEqual([
      ["traced", "3", "a"],
      ["traced", "3", "b"],
    ]);
    const first = await (await fm.start("traced")).result();
    await (await fm.start("traced")).result();
    expect(wrapped).toHaveLength(2);
    expect(first).toEqual({ a: { traced: "A" }, b: { traced: { traced: "A" } } });
    expect(calls.slice(0, 4)).toEqual(["enter a", "exit a", "enter b", "enter b"]);
  });

  it("wraps resolved references too, and chains several wrappers in tap order", async () => {
    const fm = engine();
    fm.hooks.resolveHandler.tap("lib", () => () => "base");
    fm.hooks.wrapHandler.tap("inner", (handler) => async (ctx) => `inner(${String(await handler(ctx))})`);
    fm.hooks.wrapHandler.tap("outer", (handler) => async (ctx) => `outer(${String(await handler(ctx))})`);
    await fm.register({ name: "wf", tasks: [{ name: "t", handler: "ref" }] });
    expect(await (await fm.start("wf")).result()).toEqual({ t: "outer(inner(base))" });
  });
});
