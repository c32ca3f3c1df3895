import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  handlers,
  moduleHandlers,
  parseWorkflow,
  parseWorkflowFile,
  registerWorkflowFile,
} from "../../src/index.js";
import { errorOf, useEngines } from "../support/engine.js";

const engine = useEngines();
const modulesDir = fileURLToPath(new URL("./fixtures/modules/", import.meta.url));
const pipelineFile = join(modulesDir, "pipeline.yaml");
const EXPECTED = { extract: [3, 1, 2], transform: [1, 2, 3], load: { rows: 3, first: 1 } };

/** A one-task workflow whose handler is `ref`. */
const oneTask = (ref: string) =>
  parseWorkflow(`name: one\ntasks:\n  - name: only\n    handler: ${JSON.stringify(ref)}\n`);

// The engine's hook wrapper keeps the inner FlowMeshError's "[flowmesh]" prefix in its message (see the report).
describe("moduleHandlers()", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "flowmesh-dsl-modules-"));
    await mkdir(join(dir, "flows"));
    await writeFile(join(dir, "tasks.mjs"), "export const hello = (ctx) => `hello ${ctx.input}`;\n");
    await writeFile(
      join(dir, "side-effect.mjs"),
      "globalThis.flowmeshImported = true;\nexport default () => 1;\n",
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("imports named and default exports relative to the workflow file", async () => {
    const fm = engine({ plugins: [moduleHandlers()] });
    await registerWorkflowFile(fm, pipelineFile);
    expect(await (await fm.start("module-pipeline")).result()).toEqual(EXPECTED);
  });

  it("resolves against the source passed to register(), as registerWorkflowFile does", async () => {
    const fm = engine({ plugins: [moduleHandlers()] });
    await fm.register(await parseWorkflowFile(pipelineFile), { source: pipelineFile });
    expect(await (await fm.start("module-pipeline")).result()).toEqual(EXPECTED);
  });

  it("resolves absolute paths and file: URLs inside its root", async () => {
    const fm = engine({ plugins: [moduleHandlers({ root: dir })] });
    await fm.register(oneTask(`${join(dir, "tasks.mjs")}#hello`));
    expect(await (await fm.start("one", "world")).result()).toEqual({ only: "hello world" });
    const viaUrl = engine({ plugins: [moduleHandlers({ root: dir })] });
    await viaUrl.register(oneTask(`${pathToFileURL(join(dir, "tasks.mjs")).href}#hello`));
    expect(await (await viaUrl.start("one", "url")).result()).toEqual({ only: "hello url" });
  });

  it("leaves names to other resolvers, so it works beside handlers()", async () => {
    const text =
      "name: mixed\ntasks:\n  - name: extract\n    handler: ./tasks/s3.js#extract\n  - name: count\n    depends_on: [extract]\n";
    const fm = engine({
      plugins: [
        moduleHandlers(),
        handlers({ count: (ctx) => (ctx.deps as { extract: number[] }).extract.length }),
      ],
    });
    await fm.register(parseWorkflow(text), { source: pipelineFile });
    expect(await (await fm.start("mixed")).result()).toEqual({ extract: [3, 1, 2], count: 3 });
  });

  it.each([
    [
      "a missing file",
      "./tasks/nope.js#extract",
      `task "only": handler "./tasks/nope.js#extract" cannot be imported from ${join(modulesDir, "tasks/nope.js")}: no such file`,
    ],
    [
      "a missing export, listing the functions there are",
      "./tasks/s3.js#extrct",
      'task "only": handler "./tasks/s3.js#extrct" has no export "extrct" (it exports extract, transform)',
    ],
    [
      "a missing default export",
      "./tasks/s3.js",
      'task "only": handler "./tasks/s3.js" has no default export (it exports extract, transform)',
    ],
    [
      "an export that is not a function",
      "./tasks/s3.js#bucket",
      'task "only": handler "./tasks/s3.js#bucket" exports "bucket" as "s3://fixtures", not a function',
    ],
    [
      "an empty export name",
      "./tasks/s3.js#",
      'task "only": handler "./tasks/s3.js#" names no export after "#"',
    ],
    [
      "a module that fails to load",
      "./tasks/broken.js#run",
      `task "only": handler "./tasks/broken.js#run" cannot be imported from ${join(modulesDir, "tasks/broken.js")}: the warehouse client is not configured`,
    ],
  ])("refuses %s at registration, naming the task", async (_what, ref, message) => {
    const fm = engine({ plugins: [moduleHandlers()] });
    const error = await errorOf(() => fm.register(oneTask(ref), { source: pipelineFile }));
    expect(error.code).toBe("FM_ERR_HOOK");
    expect(error.message).toBe(
      `[flowmesh] plugin "flowmesh:module-handlers" failed in hook "resolveHandler": [flowmesh] ${message}`,
    );
    expect(error.cause).toMatchObject({
      code: "FM_ERR_UNRESOLVED_HANDLER",
      details: { workflow: "one", task: "only", ref },
    });
  });

  it("needs the workflow's file for a relative reference", async () => {
    const fm = engine({ plugins: [moduleHandlers()] });
    const error = await errorOf(() => fm.register(oneTask("./tasks/s3.js#extract")));
    expect(error.message).toBe(
      '[flowmesh] plugin "flowmesh:module-handlers" failed in hook "resolveHandler": [flowmesh] task "only": handler "./tasks/s3.js#extract" is relative, but the workflow has no source file to resolve it against: register it with { source } (registerWorkflowFile does)',
    );
  });

  it("refuses modules outside its root without importing them", async () => {
    const fm = engine({ plugins: [moduleHandlers({ root: join(dir, "flows") })] });
    const source = join(dir, "flows", "w.yaml");
    const error = await errorOf(() => fm.register(oneTask("../side-effect.mjs"), { source }));
    expect(error.message).toBe(
      `[flowmesh] plugin "flowmesh:module-handlers" failed in hook "resolveHandler": [flowmesh] task "only": handler "../side-effect.mjs" resolves to ${join(dir, "side-effect.mjs")}, outside the handler root ${join(dir, "flows")} (option root)`,
    );
    const absolute = await errorOf(() => fm.register(oneTask(`${join(dir, "flows")}/../side-effect.mjs`)));
    expect(absolute.message).toContain(
      `resolves to ${join(dir, "side-effect.mjs")}, outside the handler root`,
    );
    expect((globalThis as { flowmeshImported?: boolean }).flowmeshImported).toBeUndefined();
  });

  it("validates its options", async () => {
    const fm = engine({ plugins: [moduleHandlers({ root: "" })] });
    const error = await errorOf(() => fm.register(oneTask("./x.js")));
    expect(error.code).toBe("FM_ERR_INVALID_OPTIONS");
    expect(error.message).toBe(
      '[flowmesh] plugin "flowmesh:module-handlers": option "root": expected a directory path, received an empty string',
    );
  });
});
