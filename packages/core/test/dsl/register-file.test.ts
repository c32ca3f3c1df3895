import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFlowMesh, handlers, moduleHandlers, registerWorkflowFile } from "../../src/index.js";
import { errorOf, silent, useEngines } from "../support/engine.js";

const engine = useEngines();
const pipelineFile = fileURLToPath(new URL("./fixtures/pipeline.yaml", import.meta.url));

describe("registerWorkflowFile", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "flowmesh-dsl-register-"));
    await writeFile(join(dir, "steps.mjs"), "export const extract = () => 1;\n");
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("parses and registers a file: the brief's pipeline runs with its handlers", async () => {
    const fm = engine({
      plugins: [handlers({ extract_s3: () => 3, transform_spark: () => 2, load_warehouse: () => 1 })],
    });
    const registered = await registerWorkflowFile(fm, pipelineFile);
    expect(registered.plan.name).toBe("Customer Data Pipeline");
    expect(registered.plan.tasks.map((task) => [task.name, task.timeoutMs])).toEqual([
      ["extract_s3", 3_600_000],
      ["transform_spark", 7_200_000],
      ["load_warehouse", 1_800_000],
    ]);
    expect(await (await fm.start("Customer Data Pipeline")).result()).toEqual({
      extract_s3: 3,
      transform_spark: 2,
      load_warehouse: 1,
    });
  });

  it("reports tasks without a handler at registration, each at its place in the file", async () => {
    const fm = engine({ plugins: [handlers({ extract_s3: () => 3 })] });
    const error = await errorOf(() => registerWorkflowFile(fm, pipelineFile));
    expect(error.code).toBe("FM_ERR_UNRESOLVED_HANDLER");
    expect(error.message).toBe(
      `[flowmesh] ${pipelineFile}:7:11 tasks[1].name: no handler found for task "transform_spark" (handler "transform_spark"): pass it to handlers({ transform_spark }), or install a plugin that resolves references\n` +
        `${pipelineFile}:10:11 tasks[2].name: no handler found for task "load_warehouse" (handler "load_warehouse"): pass it to handlers({ load_warehouse }), or install a plugin that resolves references`,
    );
    expect(error.details).toMatchObject({
      file: pipelineFile,
      line: 7,
      column: 11,
      path: "tasks[1].name",
      workflow: "Customer Data Pipeline",
      unresolved: [
        { task: "transform_spark", ref: "transform_spark" },
        { task: "load_warehouse", ref: "load_warehouse" },
      ],
    });
    expect(error.cause).toMatchObject({ code: "FM_ERR_UNRESOLVED_HANDLER" });
  });

  it("places an unresolved reference on the task's handler key, suggesting the plugin it needs", async () => {
    const file = join(dir, "refs.yaml");
    await writeFile(
      file,
      'name: refs\ntasks:\n  - name: a\n    handler: "my key"\n  - name: b\n    handler: ./steps.mjs#b\n',
    );
    const error = await errorOf(() => registerWorkflowFile(engine(), file));
    expect(error.message).toBe(
      `[flowmesh] ${file}:4:14 tasks[0].handler: no handler found for task "a" (handler "my key"): pass it to handlers({ "my key" }), or install a plugin that resolves references\n` +
        `${file}:6:14 tasks[1].handler: no handler found for task "b" (handler "./steps.mjs#b"): install moduleHandlers(), or install a plugin that resolves references`,
    );
  });

  it("places a resolver plugin's error on the task it is about", async () => {
    const file = join(dir, "missing-export.yaml");
    await writeFile(
      file,
      "name: missing\ntasks:\n  - name: ok\n    handler: ./steps.mjs#extract\n  - name: bad\n    handler: ./steps.mjs#extrct\n",
    );
    const fm = engine({ plugins: [moduleHandlers({ root: dir })] });
    const error = await errorOf(() => registerWorkflowFile(fm, file));
    expect(error.code).toBe("FM_ERR_HOOK");
    expect(error.message).toBe(
      `[flowmesh] ${file}:6:14 tasks[1].handler: plugin "flowmesh:module-handlers" failed in hook "resolveHandler": task "bad": handler "./steps.mjs#extrct" has no export "extrct" (it exports extract)`,
    );
    expect(error.details).toMatchObject({
      plugin: "flowmesh:module-handlers",
      hook: "resolveHandler",
      task: "bad",
    });
  });

  it("passes parse errors and other errors through unchanged", async () => {
    const bad = join(dir, "bad.yaml");
    await writeFile(bad, "name: bad\ntasks: []\n");
    expect((await errorOf(() => registerWorkflowFile(engine(), bad))).message).toBe(
      `[flowmesh] ${bad}:2:8 tasks: a workflow needs at least one task`,
    );
    const closed = createFlowMesh({ logger: silent() });
    await closed.close();
    expect((await errorOf(() => registerWorkflowFile(closed, pipelineFile))).code).toBe("FM_ERR_CLOSED");
  });
});
