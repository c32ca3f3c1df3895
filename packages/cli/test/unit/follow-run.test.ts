import { afterEach, describe, expect, it } from "vitest";
import { createFlowMesh, createLogger, type FlowMesh, type RunEvent } from "@flowmesh/core";
import { followRun } from "../../src/engine/follow-run.js";
import { loadEngine } from "../../src/engine/load-engine.js";
import { removeProject, tempProject, TASKS_MODULE, PIPELINE_YAML } from "../helpers.js";

describe("following a run and loading the CLI's engine", () => {
  const engines: FlowMesh[] = [];
  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.close();
  });

  it("delivers every event of the log once, in order, and resolves with the final record", async () => {
    const engine = createFlowMesh({ logger: createLogger({ level: "silent" }) });
    engines.push(engine);
    let calls = 0;
    await engine.register({
      name: "w",
      tasks: [
        { name: "a", handler: () => new Promise((resolve) => setTimeout(() => resolve(1), 30)) },
        {
          name: "b",
          dependsOn: ["a"],
          retry: { maxRetries: 1, baseDelay: "5ms" },
          handler: () => {
            calls += 1;
            if (calls === 1) throw new Error("once");
            return 2;
          },
        },
      ],
    });
    const handle = await engine.start("w");
    const seen: RunEvent[] = [];
    // A small page size forces several reads per wake-up.
    const run = await followRun(engine, handle.id, (event) => seen.push(event), { pageSize: 2, pollMs: 20 });
    expect(run.status).toBe("succeeded");
    expect(seen.map((e) => Number(e.id))).toEqual(seen.map((_, i) => i + 1));
    expect(seen.map((e) => e.type)).toEqual((await engine.readEvents(handle.id)).map((e) => e.type));
    expect(seen.at(-1)!.type).toBe("run:succeeded");
    expect(seen.map((e) => e.type)).toContain("task:retrying");
  });

  it("loads an in-memory engine with module handlers when there is no config", async () => {
    const dir = await tempProject({ "tasks.mjs": TASKS_MODULE, "pipeline.yaml": PIPELINE_YAML });
    try {
      const { engine, configFile, workflows } = await loadEngine({
        cwd: dir,
        global: { logLevel: "silent" },
        defaultLogLevel: "error",
        registerConfigWorkflows: true,
      });
      engines.push(engine);
      expect(configFile).toBeUndefined();
      expect(workflows).toEqual([]);
      const { registerWorkflowFile } = await import("@flowmesh/core");
      await registerWorkflowFile(engine, `${dir}/pipeline.yaml`);
      const outputs = await (await engine.start("pipeline", { who: "me" })).result();
      expect(outputs.total).toBe(6);
      expect((await engine.health()).backend).toBe("memory");
    } finally {
      await removeProject(dir);
    }
  });

  it("registers the config's workflows and applies flag overrides", async () => {
    const dir = await tempProject({
      "flowmesh.config.yaml": "concurrency: 3\nworkflows: [flows/*.yaml]\n",
      "flows/pipeline.yaml": PIPELINE_YAML.replaceAll("./tasks.mjs", "../tasks.mjs"),
      "tasks.mjs": TASKS_MODULE,
    });
    try {
      const { engine, configFile, workflows } = await loadEngine({
        cwd: dir,
        global: { logLevel: "silent" },
        defaultLogLevel: "error",
        registerConfigWorkflows: true,
        overrides: { concurrency: 2 },
      });
      engines.push(engine);
      expect(configFile).toBe(`${dir}/flowmesh.config.yaml`);
      expect(workflows.map((w) => w.plan.name)).toEqual(["pipeline"]);
      expect((await (await engine.start("pipeline")).result()).total).toBe(6);
    } finally {
      await removeProject(dir);
    }
  });

  it("fails with the config file's name when --config points nowhere", async () => {
    const dir = await tempProject();
    try {
      await expect(
        loadEngine({
          cwd: dir,
          global: { config: "missing.yaml" },
          defaultLogLevel: "error",
          registerConfigWorkflows: false,
        }),
      ).rejects.toThrow(/missing\.yaml not found/);
    } finally {
      await removeProject(dir);
    }
  });
});
