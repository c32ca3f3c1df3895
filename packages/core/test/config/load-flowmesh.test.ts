import { beforeAll, describe, expect, it, vi } from "vitest";
import { createLogger, loadFlowMesh, MemoryCoordinator } from "../../src/index.js";
import { join } from "node:path";
import { errorOf } from "../support/engine.js";
import {
  assertBuilt,
  auditLines,
  fixture,
  fixturePlugin,
  useAuditFile,
  useEngineCleanup,
  useProjects,
} from "./support.js";

const track = useEngineCleanup();
const auditFile = useAuditFile();
const project = useProjects();

beforeAll(assertBuilt);

describe("loadFlowMesh", () => {
  it(
    "loads a flowmesh.config.ts mixing an imported TS plugin, tuple plugins from local files and ${VAR} substitution, and both plugins' hooks fire when the workflow runs",
    { timeout: 20_000 },
    async () => {
      const file = auditFile();
      vi.stubEnv("AUDIT_FILE", file);
      try {
        const { engine, config, configFile, workflows } = await loadFlowMesh({ cwd: fixture("mixed-ts") });
        track(engine);
        expect(configFile).toBe(fixture("mixed-ts", "flowmesh.config.ts"));
        expect(config.plugins.map((plugin) => plugin.name)).toEqual(["timing", "fixture-handlers", "audit"]);
        expect(config.engine).toEqual({ concurrency: 4, lease: "10s" });
        expect(config.server).toEqual({ port: 3000 });
        expect(workflows.map((w) => w.plan.name)).toEqual(["greet"]);

        const run = await engine.start("greet", { name: "config" });
        expect(await run.result()).toEqual({ hello: "hello config", shout: "HELLO CONFIG!" });
        const lines = auditLines(file);
        // The TS plugin (options from process.env) and the tuple plugin (options from ${AUDIT_FILE}, ${AUDIT_LABEL:-tuple}).
        const byTask = (label: string) =>
          lines.filter((l) => l.label === label).sort((a, b) => String(a.task).localeCompare(String(b.task)));
        expect(byTask("ts").map((l) => l.task)).toEqual(["hello", "shout"]);
        expect(byTask("tuple")).toEqual([
          { label: "tuple", task: "hello", output: "hello config", attempt: 1 },
          { label: "tuple", task: "shout", output: "HELLO CONFIG!", attempt: 1 },
        ]);
      } finally {
        vi.unstubAllEnvs();
      }
    },
  );

  it(
    "loads a YAML config: backend plugin, ** glob of workflow files, engine options from ${VAR:-default}, server passed through",
    { timeout: 10_000 },
    async () => {
      const file = auditFile();
      const { engine, config, workflows } = await loadFlowMesh({
        cwd: fixture("yaml"),
        env: { AUDIT_FILE: file, PORT: "9000" },
      });
      track(engine);
      expect(workflows.map((w) => `${w.plan.name}@${w.plan.version}`)).toEqual(["greet@1", "count@2"]);
      expect(config.workflows.map((w) => w.entry)).toEqual(["workflows", "workflows"]);
      expect(config.workflows.map((w) => w.source)).toEqual([
        fixture("yaml", "workflows", "greet.yaml"),
        fixture("yaml", "workflows", "nested", "count.yaml"),
      ]);
      expect(config.engine).toEqual({ concurrency: 3, lease: "10s" });
      expect(config.server).toEqual({ port: "9000", cors: true });
      expect(config.backend).toMatchObject({ name: "memory-backend" });

      const run = await engine.start("count", { name: "yaml" });
      expect(await run.result()).toEqual({ hello: "hello yaml", count: 10 });
      // The backend plugin's coordinator holds the run.
      const { created } = (await import(fixturePlugin("memory-backend.mjs"))) as { created: string[] };
      expect(created).toContain("count");
      expect((await engine.health()).backend).toBe("memory");
      // afterTask runs after a task's output is committed, so the two may finish in either order.
      expect(
        auditLines(file)
          .map((l) => `${String(l.label)}:${String(l.task)}`)
          .sort(),
      ).toEqual(["yaml:count", "yaml:hello"]);
    },
  );

  it("loads a JSON config, a package.json flowmesh key and an .mjs config the same way", async () => {
    for (const [folder, label] of [
      ["json", "json"],
      ["package-json", "package"],
      ["mjs", "mjs"],
    ] as const) {
      const file = auditFile();
      vi.stubEnv("AUDIT_FILE", file);
      try {
        const { engine, configFile } = await loadFlowMesh({ cwd: fixture(folder) });
        track(engine);
        expect(configFile.startsWith(fixture(folder))).toBe(true);
        await (await engine.start("greet")).result();
        expect(
          auditLines(file)
            .map((l) => `${String(l.label)}:${String(l.task)}`)
            .sort(),
        ).toEqual([`${label}:hello`, `${label}:shout`]);
      } finally {
        vi.unstubAllEnvs();
      }
    }
  });

  it("picks core's moduleHandlers factory by named export, and it resolves handlers in modules", async () => {
    const { engine } = await loadFlowMesh({ cwd: fixture("module-handlers") });
    track(engine);
    const run = await engine.start("report", { amounts: [2, 3, 5] });
    expect(await run.result()).toEqual({ total: 10, format: "total: 10" });
  });

  it("closes the engine, running plugin cleanups, when a workflow file fails to register, and names the file", async () => {
    const file = auditFile();
    const dir = project({
      "flowmesh.config.yaml": [
        "plugins:",
        `  - ${fixturePlugin("handlers.mjs")}`,
        `  - [${fixturePlugin("audit.mjs")}, { file: ${file} }]`,
        "workflows: [flows/unresolved.yaml]",
      ].join("\n"),
      "flows/unresolved.yaml": "name: unresolved\ntasks:\n  - name: hello\n  - name: mystery\n",
    });
    const error = await errorOf(() => loadFlowMesh({ cwd: dir }));
    expect(error.code).toBe("FM_ERR_UNRESOLVED_HANDLER");
    expect(error.message).toMatch(
      /^\[flowmesh\] flows\/unresolved\.yaml: workflow "unresolved": no handler found for task "mystery"/,
    );
    expect(error.details).toMatchObject({
      file: join(dir, "flows", "unresolved.yaml"),
      entry: "workflows[0]",
    });
    // The audit plugin was set up by registration; closing the engine ran its onClose.
    expect(auditLines(file)).toEqual([{ label: "audit", event: "closed" }]);
  });

  it("reports an invalid workflow file with its file, line and column (from the DSL), before creating the engine", async () => {
    const dir = project({
      "flowmesh.config.yaml": "workflows: flows/*.yml",
      "flows/bad.yml": "name: bad\ntasks:\n  - name: hello\n    depends_on: [nope]\n",
    });
    const error = await errorOf(() => loadFlowMesh({ cwd: dir }));
    expect(error.code).toBe("FM_ERR_INVALID_DEFINITION");
    // The file is shown relative to the working directory when that is shorter, so match its tail.
    expect(error.message).toMatch(
      /^\[flowmesh\] \S*flows\/bad\.yml:4:18 tasks\[0\]\.depends_on\[0\]: unknown task "nope"$/,
    );
    expect(String(error.details?.file)).toMatch(/flows\/bad\.yml$/);
  });

  it("names a TS config's entry for an inline workflow definition that fails to register", async () => {
    await expect(loadFlowMesh({ cwd: fixture("inline-ts") })).rejects.toThrow(
      /^\[flowmesh\] flowmesh\.config\.ts workflows\[1\]: workflow "inline-bad": /,
    );
  });

  it("uses log.level for the default logger, and an injected logger over it", async () => {
    const dir = project({ "flowmesh.config.yaml": "log:\n  level: error\n" });
    const configured = track((await loadFlowMesh({ cwd: dir })).engine);
    expect(configured.logger.level).toBe("error");
    const logger = createLogger({ level: "silent" });
    const injected = track((await loadFlowMesh({ cwd: dir, logger })).engine);
    expect(injected.logger).toBe(logger);
  });

  it("registers nothing and connects nothing for an empty config: an in-memory engine with defaults", async () => {
    const dir = project({ "flowmesh.config.yml": "" });
    const { engine, config, workflows } = await loadFlowMesh({ cwd: dir });
    track(engine);
    expect(workflows).toEqual([]);
    expect(config).toEqual({
      backend: undefined,
      plugins: [],
      workflows: [],
      log: {},
      engine: {},
      server: undefined,
    });
    expect((await engine.health()).backend).toBe(new MemoryCoordinator().kind);
  });
});
