import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig, loadFlowMesh } from "../../src/index.js";
import { errorOf } from "../support/engine.js";
import {
  assertBuilt,
  fixture,
  fixturePlugin,
  useAuditFile,
  useEngineCleanup,
  useProjects,
} from "./support.js";

const project = useProjects();
const track = useEngineCleanup();
const auditFile = useAuditFile();

beforeAll(assertBuilt);

/** A config listing `plugins` (YAML flow items), in a temp project with `files`. */
function withPlugins(plugins: string[], files: Record<string, string> = {}): string {
  return project({
    "flowmesh.config.yaml": `log: { level: silent }\nplugins:\n${plugins.map((p) => `  - ${p}`).join("\n")}\n`,
    ...files,
  });
}

/** A hand-written plugin factory module that needs nothing installed. */
const handMadeFactory = (name: string) =>
  `export default (options) => ({ name: ${JSON.stringify(name)}, version: undefined, enforce: undefined, dependencies: [], apply(ctx) { ctx.logger.info({ options }, "set up"); } });\n`;

describe("config plugins: resolving modules", () => {
  it("resolves relative paths and installed packages from the config file's folder, CommonJS and ESM-only alike", async () => {
    const dir = withPlugins(
      ["./local/plugin.mjs", "cjs-plugin", "[esm-only-plugin, { level: 2 }]", "esm-only-plugin#other"],
      {
        "local/plugin.mjs": handMadeFactory("local"),
        "node_modules/cjs-plugin/package.json": '{ "name": "cjs-plugin", "main": "main.js" }',
        "node_modules/cjs-plugin/main.js": `module.exports = ${handMadeFactory("cjs").replace("export default ", "").trim()}`,
        "node_modules/esm-only-plugin/package.json":
          '{ "name": "esm-only-plugin", "type": "module", "exports": { ".": { "import": "./index.js" } } }',
        "node_modules/esm-only-plugin/index.js": `${handMadeFactory("esm-only")}${handMadeFactory("other").replace("export default", "export const other =")}`,
      },
    );
    const { config } = await loadConfig({ cwd: dir });
    expect(config.plugins.map((p) => p.name)).toEqual(["local", "cjs", "esm-only", "other"]);
  });

  it("takes the `plugin` export when there is no default one, and `#name` picks a named export", async () => {
    const dir = withPlugins([fixturePlugin("handlers.mjs"), `${fixturePlugin("misc.mjs")}#named`]);
    const { config } = await loadConfig({ cwd: dir });
    expect(config.plugins.map((p) => p.name)).toEqual(["fixture-handlers", "named"]);
  });

  it("loads a plugin module written in TypeScript through jiti", async () => {
    const timing = fixture("mixed-ts", "plugins", "timing.ts");
    const { config } = await loadConfig({ cwd: withPlugins([`[${timing}#timing, { file: out.jsonl }]`]) });
    expect(config.plugins.map((p) => p.name)).toEqual(["timing"]);
  });

  it("names the package to install, with the project's package manager", async () => {
    for (const [lockfile, command] of [
      ["pnpm-lock.yaml", "pnpm add"],
      ["yarn.lock", "yarn add"],
      [undefined, "npm install"],
    ] as const) {
      const dir = withPlugins(
        [fixturePlugin("handlers.mjs"), '["@flowmesh/plugin-kafka", { url: "redis://localhost" }]'],
        lockfile === undefined ? {} : { [lockfile]: "" },
      );
      const error = await errorOf(() => loadConfig({ cwd: dir }));
      expect(error.code).toBe("FM_ERR_PLUGIN");
      expect(error.message).toBe(
        `[flowmesh] flowmesh.config.yaml plugins[1]: cannot find package "@flowmesh/plugin-kafka". Install it: ${command} @flowmesh/plugin-kafka`,
      );
      expect(error.details).toMatchObject({ missingPackage: "@flowmesh/plugin-kafka", from: dir });
    }
  });

  it("finds pnpm from the packageManager field, and lists every missing package in one command", async () => {
    const dir = project({
      "package.json": '{ "packageManager": "pnpm@10.0.0" }',
      "flowmesh.config.json": JSON.stringify({
        backend: ["@flowmesh/plugin-sqlite", { url: "postgres://db" }],
        plugins: ["@acme/flowmesh-audit/plugin", "@flowmesh/plugin-otel"],
      }),
    });
    const error = await errorOf(() => loadConfig({ cwd: dir }));
    expect(error.message).toBe(
      '[flowmesh] flowmesh.config.json backend: cannot find package "@flowmesh/plugin-sqlite"; ' +
        'plugins[0]: cannot find package "@acme/flowmesh-audit"; plugins[1]: cannot find package "@flowmesh/plugin-otel". ' +
        "Install them: pnpm add @flowmesh/plugin-sqlite @acme/flowmesh-audit @flowmesh/plugin-otel",
    );
  });

  it("names a package a plugin module imports but that is not installed", async () => {
    const dir = withPlugins(["./plugin.mjs"], {
      "plugin.mjs": 'import "left-pad-missing";\nexport default () => ({});\n',
    });
    expect((await errorOf(() => loadConfig({ cwd: dir }))).message).toBe(
      '[flowmesh] flowmesh.config.yaml plugins[0]: cannot find package "left-pad-missing" (imported by "./plugin.mjs"). Install it: npm install left-pad-missing',
    );
  });

  it("reports a missing local file with where it looked", async () => {
    const dir = withPlugins(["./plugins/nope.mjs"]);
    const error = await errorOf(() => loadConfig({ cwd: dir }));
    expect(error.code).toBe("FM_ERR_PLUGIN");
    expect(error.message).toBe(
      `[flowmesh] flowmesh.config.yaml plugins[0]: cannot find "./plugins/nope.mjs" (looked for ${join(dir, "plugins", "nope.mjs")})`,
    );
  });

  it("reports a module that fails to load", async () => {
    const dir = withPlugins(["./plugin.mjs"], { "plugin.mjs": "export default (;\n" });
    const error = await errorOf(() => loadConfig({ cwd: dir }));
    expect(error.code).toBe("FM_ERR_PLUGIN");
    expect(error.message).toMatch(
      /^\[flowmesh\] flowmesh\.config\.yaml plugins\[0\]: could not load "\.\/plugin\.mjs": /,
    );
  });

  it("explains what a module exports instead of a plugin factory", async () => {
    const misc = fixturePlugin("misc.mjs");
    const cases: [string, string][] = [
      [
        `${misc}#instance`,
        `"${misc}" exports the plugin instance "named", not its factory: export the function definePlugin returns`,
      ],
      [
        `${misc}#nothing`,
        `"${misc}" has no export "nothing" that is a plugin factory (exports: broken, eager, instance, named, needsAudit, notAFactory)`,
      ],
      [
        `${misc}#notAFactory`,
        `"${misc}#notAFactory" does not export a plugin factory: calling its notAFactory returned an object, not a plugin made by definePlugin`,
      ],
    ];
    for (const [entry, message] of cases) {
      const error = await errorOf(() => loadConfig({ cwd: withPlugins([entry]) }));
      expect(error.code).toBe("FM_ERR_PLUGIN");
      expect(error.message).toContain(`[flowmesh] flowmesh.config.yaml plugins[0]: ${message}`);
    }
    const noFactory = withPlugins(["./empty.mjs"], { "empty.mjs": "export const version = 1;\n" });
    expect((await errorOf(() => loadConfig({ cwd: noFactory }))).message).toBe(
      '[flowmesh] flowmesh.config.yaml plugins[0]: "./empty.mjs" has no plugin factory: export default definePlugin({ ... }), or export it as "plugin"',
    );
  });

  it("locates an error a factory throws while called with its options", async () => {
    const misc = fixturePlugin("misc.mjs");
    const error = await errorOf(() => loadConfig({ cwd: withPlugins([`[${misc}#eager, { ok: false }]`]) }));
    expect(error.code).toBe("FM_ERR_PLUGIN");
    expect(error.message).toBe(
      "[flowmesh] flowmesh.config.yaml plugins[0]: the plugin factory threw: eager: option ok must be true",
    );
  });
});

describe("config plugins: options and setup", () => {
  const audit = fixturePlugin("audit.mjs");

  it("names the config file and the option's path when a tuple's options fail the plugin's schema", async () => {
    const file = auditFile();
    const dir = project({
      "flowmesh.config.yaml": [
        "log: { level: silent }",
        "plugins:",
        `  - ${fixturePlugin("handlers.mjs")}`,
        `  - [${audit}, { file: ${file}, url: "\${AUDIT_URL}", label: 7 }]`,
        `workflows: ${fixture("mixed-ts", "workflows", "greet.yaml")}`,
      ].join("\n"),
    });
    // The workflow's registration sets the plugins up: loadFlowMesh fails.
    const error = await errorOf(() => loadFlowMesh({ cwd: dir, env: { AUDIT_URL: "not a url" } }));
    expect(error.code).toBe("FM_ERR_INVALID_OPTIONS");
    expect(error.message).toBe(
      "[flowmesh] flowmesh.config.yaml plugins[1].options.label: Invalid input: expected string, received number; plugins[1].options.url: expected a URL",
    );
    expect(error.details).toMatchObject({ configFile: join(dir, "flowmesh.config.yaml"), plugin: "audit" });
    expect((error.cause as Error).message).toContain('plugin "audit"');
  });

  it("locates bad options when the engine starts, for a config without workflows too", async () => {
    const dir = withPlugins([`[${audit}, { file: "" }]`]);
    const { engine } = await loadFlowMesh({ cwd: dir });
    track(engine);
    const error = await errorOf(() => engine.ready());
    expect(error.message).toMatch(/^\[flowmesh\] flowmesh\.config\.yaml plugins\[0\]\.options\.file: /);
  });

  it("locates a TS plugin instance's bad options at its index in flowmesh.config.ts", async () => {
    const { engine } = await loadFlowMesh({ cwd: fixture("ts-errors", "bad-options") });
    track(engine);
    const error = await errorOf(() => engine.start("anything"));
    expect(error.code).toBe("FM_ERR_INVALID_OPTIONS");
    expect(error.message).toBe(
      "[flowmesh] flowmesh.config.ts plugins[1].options.file: Invalid input: expected string, received number",
    );
  });

  it("locates a plugin whose setup throws", async () => {
    const { engine } = await loadFlowMesh({ cwd: withPlugins([`${fixturePlugin("misc.mjs")}#broken`]) });
    track(engine);
    const error = await errorOf(() => engine.ready());
    expect(error.code).toBe("FM_ERR_PLUGIN");
    expect(error.message).toBe(
      '[flowmesh] flowmesh.config.yaml plugins[0]: plugin "broken" failed in setup: boom in setup',
    );
  });

  it("refuses a backend entry whose plugin provides no backend", async () => {
    const dir = project({ "flowmesh.config.yaml": `backend: ${fixturePlugin("handlers.mjs")}\n` });
    const { engine } = await loadFlowMesh({ cwd: dir });
    track(engine);
    const error = await errorOf(() => engine.ready());
    expect(error.code).toBe("FM_ERR_PLUGIN");
    expect(error.message).toBe(
      '[flowmesh] flowmesh.config.yaml backend: plugin "fixture-handlers" does not provide a backend (it never calls ctx.provide("backend", ...)); list it under plugins instead',
    );
  });

  it("reports a plugin listed twice and a missing dependency with their config paths, before the engine starts", async () => {
    const misc = fixturePlugin("misc.mjs");
    const error = await errorOf(() =>
      loadConfig({ cwd: withPlugins([`${misc}#needsAudit`, `${misc}#named`, `${misc}#named`]) }),
    );
    expect(error.code).toBe("FM_ERR_PLUGIN");
    expect(error.message).toBe(
      '[flowmesh] flowmesh.config.yaml plugins[2]: plugin "named" is already installed by plugins[1]; ' +
        'plugins[0]: plugin "needs-audit" needs "audit", which is not installed: add it to plugins',
    );
  });
});
