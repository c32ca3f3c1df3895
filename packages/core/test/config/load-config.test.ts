import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { defineConfig, loadConfig } from "../../src/index.js";
import { errorOf } from "../support/engine.js";
import { assertBuilt, fixture, fixturePlugin, useProjects } from "./support.js";

const project = useProjects();

beforeAll(assertBuilt);

describe("loadConfig: finding the config", () => {
  it("searches from cwd up to the project root (the folder with package.json)", async () => {
    const dir = project({
      "package.json": "{}",
      "flowmesh.config.yaml": "concurrency: 7\n",
      "src/jobs/.keep": "",
    });
    const { configFile, config } = await loadConfig({ cwd: join(dir, "src", "jobs") });
    expect(configFile).toBe(join(dir, "flowmesh.config.yaml"));
    expect(config.engine.concurrency).toBe(7);
  });

  it("does not search past the project root", async () => {
    const dir = project({ "flowmesh.config.yaml": "concurrency: 7\n", "app/package.json": "{}" });
    const error = await errorOf(() => loadConfig({ cwd: join(dir, "app") }));
    expect(error.code).toBe("FM_ERR_INVALID_OPTIONS");
    expect(error.message).toBe(
      `[flowmesh] no FlowMesh config found in ${join(dir, "app")} or its parents up to the project root: create flowmesh.config.yaml (or .yml, .json, .ts, .mts, .mjs, .js), add a "flowmesh" key to package.json, or pass configFile`,
    );
  });

  it("loads configFile relative to cwd, whatever its name", async () => {
    const dir = project({
      "config/staging.yaml": "concurrency: 2\n",
      "flowmesh.config.yaml": "concurrency: 1\n",
    });
    const { configFile, config } = await loadConfig({ cwd: dir, configFile: "config/staging.yaml" });
    expect(configFile).toBe(join(dir, "config", "staging.yaml"));
    expect(config.engine.concurrency).toBe(2);
  });

  it("reports a configFile that does not exist, has an unknown extension, or is a package.json without the key", async () => {
    const dir = project({ "flowmesh.toml": "x = 1", "package.json": '{ "name": "app" }' });
    expect((await errorOf(() => loadConfig({ cwd: dir, configFile: "nope.yaml" }))).message).toBe(
      "[flowmesh] config file nope.yaml not found",
    );
    expect((await errorOf(() => loadConfig({ cwd: dir, configFile: "flowmesh.toml" }))).message).toBe(
      "[flowmesh] flowmesh.toml: a config file must end in .ts, .mts, .mjs, .js, .json, .yaml or .yml, or be a package.json",
    );
    expect((await errorOf(() => loadConfig({ cwd: dir, configFile: "package.json" }))).message).toBe(
      '[flowmesh] package.json has no "flowmesh" key',
    );
  });

  it("refuses a folder holding two configs instead of picking one", async () => {
    const dir = project({
      "flowmesh.config.json": "{}",
      "flowmesh.config.yaml": "{}",
      "package.json": '{ "flowmesh": {} }',
    });
    const error = await errorOf(() => loadConfig({ cwd: dir }));
    expect(error.code).toBe("FM_ERR_INVALID_OPTIONS");
    expect(error.message).toBe(
      `[flowmesh] ${dir} holds more than one FlowMesh config (flowmesh.config.json, flowmesh.config.yaml, package.json "flowmesh"): keep one, or pass configFile`,
    );
  });

  it("reports YAML syntax errors and duplicate keys with file, line and column", async () => {
    const dir = project({ "flowmesh.config.yaml": "log:\n  level: info\n  level: debug\n" });
    const error = await errorOf(() => loadConfig({ cwd: dir }));
    expect(error.code).toBe("FM_ERR_INVALID_OPTIONS");
    expect(error.message).toMatch(/^\[flowmesh\] flowmesh\.config\.yaml:3:3: Map keys must be unique/);

    const json = project({ "flowmesh.config.json": '{ "concurrency": 3,, }' });
    expect((await errorOf(() => loadConfig({ cwd: json }))).message).toMatch(
      /^\[flowmesh\] flowmesh\.config\.json:1:\d+: /,
    );
  });

  it("refuses YAML custom tags", async () => {
    const dir = project({ "flowmesh.config.yaml": "server: !!js/function 'function () {}'\n" });
    expect((await errorOf(() => loadConfig({ cwd: dir }))).message).toMatch(
      /^\[flowmesh\] flowmesh\.config\.yaml:1:9: .*tag/i,
    );
  });

  it("reports a TS config without a default export, one that throws, and one importing a missing package", async () => {
    expect((await errorOf(() => loadConfig({ cwd: fixture("ts-errors", "no-default") }))).message).toBe(
      "[flowmesh] flowmesh.config.ts has no default export: write export default defineConfig({ ... })",
    );
    const thrown = await errorOf(() => loadConfig({ cwd: fixture("ts-errors", "throws") }));
    expect(thrown.code).toBe("FM_ERR_INVALID_OPTIONS");
    expect(thrown.message).toBe(
      "[flowmesh] flowmesh.config.ts: could not load it: REDIS_URL must be set for production",
    );
    const missing = await errorOf(() => loadConfig({ cwd: fixture("ts-errors", "missing-package") }));
    expect(missing.code).toBe("FM_ERR_PLUGIN");
    expect(missing.message).toBe(
      '[flowmesh] flowmesh.config.ts: cannot find package "@flowmesh/plugin-nonexistent" (imported by the config). Install it: pnpm add @flowmesh/plugin-nonexistent',
    );
  });
});

describe("loadConfig: validation", () => {
  it("defineConfig returns the config it is given", () => {
    const config = { concurrency: 3, plugins: ["./audit.js"] };
    expect(defineConfig(config)).toBe(config);
  });

  it("reports an unknown key with the keys it knows", async () => {
    const dir = project({ "flowmesh.config.yaml": "plugin: []\n" });
    const error = await errorOf(() => loadConfig({ cwd: dir }));
    expect(error.message).toBe(
      "[flowmesh] flowmesh.config.yaml plugin: unknown key (expected one of: $schema, backend, plugins, workflows, log, server, concurrency, worker, lease, sweepInterval, drainTimeout, workerId)",
    );
  });

  it("reports every bad setting at once, engine options worded as createFlowMesh words them", async () => {
    const dir = project({
      "flowmesh.config.yaml": [
        "log: { level: verbose }",
        "concurrency: 0",
        "lease: soon",
        "plugins: [42]",
        "server: [8080]",
        "workflows: [7]",
      ].join("\n"),
    });
    const error = await errorOf(() => loadConfig({ cwd: dir }));
    expect(error.code).toBe("FM_ERR_INVALID_OPTIONS");
    expect(error.details?.issues).toEqual([
      {
        path: "plugins[0]",
        message:
          'expected a plugin: a package name or path, a ["name", { options }] tuple, or a plugin instance, received 42',
      },
      {
        path: "workflows[0]",
        message: "expected a workflow file path or glob, or a workflow definition, received 7",
      },
      {
        path: "log.level",
        message: 'expected one of fatal, error, warn, info, debug, trace, silent, received "verbose"',
      },
      { path: "server", message: "expected an object of server settings, received an array" },
      { path: "concurrency", message: expect.stringContaining(">=1") as string },
      { path: "lease", message: expect.stringContaining('"soon"') as string },
    ]);
    expect(error.message).toMatch(
      /^\[flowmesh\] flowmesh\.config\.yaml plugins\[0\]: expected a plugin: .*; workflows\[0\]: /,
    );
  });

  it("accepts numbers and booleans as strings for engine options, so ${VAR} works for them", async () => {
    const dir = project({
      "flowmesh.config.yaml": 'concurrency: "${N}"\nworker: "${W}"\ndrainTimeout: 5s\n',
    });
    const { config } = await loadConfig({ cwd: dir, env: { N: "12", W: "false" } });
    expect(config.engine).toEqual({ concurrency: 12, worker: false, drainTimeout: "5s" });
  });

  it("refuses a document that is not an object of settings", async () => {
    const dir = project({ "flowmesh.config.yaml": "- plugins\n" });
    expect((await errorOf(() => loadConfig({ cwd: dir }))).message).toBe(
      "[flowmesh] flowmesh.config.yaml: expected an object of settings, received an array",
    );
  });

  it("prefixes paths of a package.json config with flowmesh", async () => {
    const dir = project({ "package.json": '{ "flowmesh": { "log": { "level": 3 } } }' });
    expect((await errorOf(() => loadConfig({ cwd: dir }))).message).toBe(
      "[flowmesh] package.json flowmesh.log.level: expected one of fatal, error, warn, info, debug, trace, silent, received 3",
    );
  });

  it("skips false and null plugin entries (conditional plugins) but keeps the other entries' paths", async () => {
    const dir = project({
      "flowmesh.config.yaml": `plugins:\n  - false\n  - null\n  - ${fixturePlugin("misc.mjs")}#broken\n`,
    });
    const { config } = await loadConfig({ cwd: dir });
    expect(config.plugins.map((p) => p.name)).toEqual(["broken"]);
  });
});

describe("loadConfig: ${VAR} substitution", () => {
  it("names the unset variable and where it is used, for every one", async () => {
    const dir = project({
      "flowmesh.config.yaml": [
        "plugins:",
        `  - [${fixturePlugin("audit.mjs")}, { file: "\${AUDIT_FILE}", url: "redis://\${HOST}:\${PORT:-6379}" }]`,
        "server:",
        "  token: ${TOKEN}",
      ].join("\n"),
    });
    const error = await errorOf(() => loadConfig({ cwd: dir, env: {} }));
    expect(error.code).toBe("FM_ERR_INVALID_OPTIONS");
    expect(error.message).toBe(
      "[flowmesh] flowmesh.config.yaml plugins[0].options.file: environment variable AUDIT_FILE is not set (write ${AUDIT_FILE:-default} to give it a default); " +
        "plugins[0].options.url: environment variable HOST is not set (write ${HOST:-default} to give it a default); " +
        "server.token: environment variable TOKEN is not set (write ${TOKEN:-default} to give it a default)",
    );
  });

  it("substitutes tuple options in a TS config too, and leaves plugin instances alone", async () => {
    const error = await errorOf(() => loadConfig({ cwd: fixture("mixed-ts"), env: {} }));
    expect(error.message).toBe(
      "[flowmesh] flowmesh.config.ts plugins[2].options.file: environment variable AUDIT_FILE is not set (write ${AUDIT_FILE:-default} to give it a default)",
    );
  });

  it("reads process.env unless env is given", async () => {
    const dir = project({ "flowmesh.config.yaml": "server:\n  home: ${HOME}\n" });
    const { config } = await loadConfig({ cwd: dir });
    expect(config.server).toEqual({ home: process.env.HOME });
  });
});

describe("loadConfig: workflows", () => {
  it("reports a glob that matches nothing, a missing file and a file of another kind", async () => {
    const dir = project({
      "flowmesh.config.yaml": "workflows:\n  - flows/*.yaml\n  - flows/etl.yaml\n  - flows/etl.txt\n",
      "flows/etl.txt": "name: etl",
    });
    const error = await errorOf(() => loadConfig({ cwd: dir }));
    expect(error.code).toBe("FM_ERR_INVALID_OPTIONS");
    expect(error.message).toBe(
      `[flowmesh] flowmesh.config.yaml workflows[0]: "flows/*.yaml" matched no .yaml, .yml or .json file in ${dir} (wildcards: *, ? and **); ` +
        `workflows[1]: workflow file ${join(dir, "flows", "etl.yaml")} not found; ` +
        'workflows[2]: expected a .yaml, .yml or .json workflow file, received "flows/etl.txt"',
    );
  });

  it("reads each file once, in config order, even when two entries match it", async () => {
    const dir = project({
      "flowmesh.config.yaml": "workflows: [flows/b.yaml, 'flows/*.yaml', flows/a.json]\n",
      "flows/a.json": '{ "name": "a", "tasks": [{ "name": "t" }] }',
      "flows/b.yaml": "name: b\ntasks: [{ name: t }]\n",
    });
    const { config } = await loadConfig({ cwd: dir });
    expect(config.workflows.map((w) => [w.entry, (w.definition as { name: string }).name])).toEqual([
      ["workflows[0]", "b"],
      // flows/*.yaml matched b.yaml again, not a.json.
      ["workflows[2]", "a"],
    ]);
  });

  it("reports a workflow file that is not valid YAML with its line and column", async () => {
    const dir = project({ "flowmesh.config.yaml": "workflows: flows/*.yaml\n" });
    mkdirSync(join(dir, "flows"));
    writeFileSync(join(dir, "flows", "broken.yaml"), "name: x\ntasks: [\n");
    const error = await errorOf(() => loadConfig({ cwd: dir }));
    expect(error.code).toBe("FM_ERR_INVALID_DEFINITION");
    expect(error.message).toContain("broken.yaml:");
  });
});
