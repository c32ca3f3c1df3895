import { describe, expectTypeOf, it } from "vitest";
import { defineConfig, definePlugin, MemoryCoordinator } from "../../src/index.js";
import type { FlowMeshConfig, FlowMeshPlugin, PluginEntry } from "../../src/index.js";

const redis = definePlugin({ name: "redis", setup() {} });

describe("defineConfig", () => {
  it("accepts plugin instances, specifiers, tuples and conditional entries", () => {
    const config = defineConfig({
      backend: ["@flowmesh/plugin-redis", { url: "redis://localhost" }],
      plugins: [redis(), "./plugins/audit.js", ["./plugins/audit.js", { level: 2 }], false, undefined],
      workflows: ["workflows/**/*.yaml", { name: "inline", tasks: [{ name: "t", handler: () => 1 }] }],
      log: { level: "warn" },
      concurrency: 10,
      lease: "30s",
      server: { port: 3000 },
    });
    expectTypeOf(config).toEqualTypeOf<FlowMeshConfig>();
    expectTypeOf(redis()).toExtend<PluginEntry>();
    expectTypeOf<FlowMeshPlugin>().toExtend<PluginEntry>();
  });

  it("accepts a backend instance", () => {
    defineConfig({ backend: new MemoryCoordinator() });
  });

  it("refuses unknown keys, bad log levels and misspelt engine options", () => {
    // @ts-expect-error -- `plugin` is not a config key
    defineConfig({ plugin: [] });
    // @ts-expect-error -- not a log level
    defineConfig({ log: { level: "verbose" } });
    // @ts-expect-error -- concurrency is a number
    defineConfig({ concurrency: "10" });
    // @ts-expect-error -- a plugin entry is not a number
    defineConfig({ plugins: [42] });
  });
});
