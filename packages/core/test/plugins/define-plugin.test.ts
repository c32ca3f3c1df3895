import { describe, expect, it } from "vitest";
import { z } from "zod";
import { definePlugin } from "../../src/plugin.js";
import { FlowMeshError } from "../../src/index.js";
import { errorOf, useEngines } from "../support/engine.js";

const engine = useEngines();

const greeter = definePlugin({
  name: "greeter",
  version: "1.2.3",
  options: z.object({
    /** @default "hello" */
    greeting: z.string().default("hello"),
    retries: z.number().int().min(0).optional(),
    target: z.object({ url: z.string().startsWith("redis://") }).optional(),
  }),
  setup(ctx, options) {
    ctx.hooks.wrapHandler.tap((handler) => async (c) => `${options.greeting} ${String(await handler(c))}`);
  },
});

describe("definePlugin", () => {
  it("returns a factory making a named plugin with its version and dependencies", () => {
    const plugin = greeter({ greeting: "hi" });
    expect(plugin.name).toBe("greeter");
    expect(plugin.version).toBe("1.2.3");
    expect(plugin.enforce).toBeUndefined();
    expect(plugin.dependencies).toEqual([]);
  });

  it("passes validated options, defaults applied, to setup", async () => {
    const withDefault = engine({ plugins: [greeter({})] });
    await withDefault.register({ name: "wf", tasks: [{ name: "t", handler: () => "world" }] });
    expect(await (await withDefault.start("wf")).result()).toEqual({ t: "hello world" });

    const custom = engine({ plugins: [greeter({ greeting: "bonjour" })] });
    await custom.register({ name: "wf", tasks: [{ name: "t", handler: () => "monde" }] });
    expect(await (await custom.start("wf")).result()).toEqual({ t: "bonjour monde" });
  });

  it("rejects bad options at start with FM_ERR_INVALID_OPTIONS naming the plugin and the option path", async () => {
    const fm = engine({ plugins: [greeter({ greeting: "hi", target: { url: "localhost" } })] });
    const error = await errorOf(() => fm.ready());
    expect(error.code).toBe("FM_ERR_INVALID_OPTIONS");
    expect(error.message).toContain('plugin "greeter"');
    expect(error.message).toContain('option "target.url"');
    expect(error.details).toMatchObject({ plugin: "greeter" });
  });

  it("names every bad option at once", async () => {
    const fm = engine({ plugins: [greeter({ greeting: 42 as unknown as string, retries: -1 })] });
    const error = await errorOf(() => fm.start("anything"));
    expect(error.code).toBe("FM_ERR_INVALID_OPTIONS");
    expect(error.message).toContain('option "greeting"');
    expect(error.message).toContain('option "retries"');
  });

  it("fails register and start too when plugin options are bad, before any task runs", async () => {
    let calls = 0;
    const fm = engine({ plugins: [greeter({ retries: 1.5 })] });
    const register = await errorOf(() =>
      fm.register({ name: "wf", tasks: [{ name: "t", handler: () => ++calls }] }),
    );
    expect(register.code).toBe("FM_ERR_INVALID_OPTIONS");
    expect(calls).toBe(0);
  });

  it("refuses a plugin without a name", () => {
    expect(() => definePlugin({ name: "", setup() {} })).toThrow(FlowMeshError);
  });

  it("wraps an error thrown by setup with the plugin's name (FM_ERR_PLUGIN)", async () => {
    const broken = definePlugin({
      name: "broken",
      setup() {
        throw new Error("cannot connect");
      },
    });
    const fm = engine({ plugins: [broken()] });
    const error = await errorOf(() => fm.ready());
    expect(error.code).toBe("FM_ERR_PLUGIN");
    expect(error.message).toContain('plugin "broken" failed in setup: cannot connect');
    expect(error.details).toMatchObject({ plugin: "broken" });
  });
});
