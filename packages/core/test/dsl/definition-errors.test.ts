import { describe, expect, it } from "vitest";
import { parseWorkflow, type ParseWorkflowOptions } from "../../src/index.js";
import { errorOf } from "../support/engine.js";
import { BRIEF_YAML } from "./support/brief.js";

const inFile = { source: "pipeline.yaml" } satisfies ParseWorkflowOptions;

/** The brief's YAML with one edit. */
const brief = (from: string, to: string) => {
  if (!BRIEF_YAML.includes(from)) throw new Error(`the brief's YAML has no ${JSON.stringify(from)}`);
  return BRIEF_YAML.replace(from, to);
};

describe("schema and planning errors carry file, line and column", () => {
  it("places an unknown dependency on the dependency itself", async () => {
    const error = await errorOf(() => parseWorkflow(brief("[extract_s3]", "[extract]"), inFile));
    expect(error.code).toBe("FM_ERR_INVALID_DEFINITION");
    expect(error.message).toBe(
      '[flowmesh] pipeline.yaml:7:18 tasks[1].depends_on[0]: unknown task "extract"',
    );
    expect(error.details).toEqual({
      file: "pipeline.yaml",
      line: 7,
      column: 18,
      path: "tasks[1].depends_on[0]",
      workflow: "Customer Data Pipeline",
      issues: [{ path: "tasks[1].depends_on[0]", line: 7, column: 18, message: 'unknown task "extract"' }],
    });
    expect(error.cause).toMatchObject({ code: "FM_ERR_INVALID_DEFINITION" });
  });

  it("places a dependency in a block list on its own line", async () => {
    const text = "name: etl\ntasks:\n  - name: a\n  - name: b\n    depends_on:\n      - a\n      - extract\n";
    const error = await errorOf(() => parseWorkflow(text, inFile));
    expect(error.message).toBe('[flowmesh] pipeline.yaml:7:9 tasks[1].depends_on[1]: unknown task "extract"');
  });

  it("places a bad value on the value, and an unknown key on the key", async () => {
    const error = await errorOf(() =>
      parseWorkflow(brief("    timeout: 3600\n", "    timeout: soon\n    dependz: [x]\n"), inFile),
    );
    expect(error.message).toBe(
      '[flowmesh] pipeline.yaml:4:14 tasks[0].timeout: expected a duration such as 30, "250ms", "30s", "5m", "2h" or "1d", received "soon"\n' +
        "pipeline.yaml:5:5 tasks[0].dependz: unknown key (expected one of: name, handler, dependsOn, depends_on, timeout, timeoutMs, retry, retryCount, retry_count, priority, policies, description)",
    );
    expect(error.details).toMatchObject({ line: 4, column: 14, path: "tasks[0].timeout" });
    expect((error.details!.issues as unknown[]).length).toBe(2);
  });

  it("places a missing key on the object that lacks it", async () => {
    const error = await errorOf(() =>
      parseWorkflow(brief("  - name: transform_spark\n", "  - priority: 1\n"), inFile),
    );
    expect(error.message).toBe(
      "[flowmesh] pipeline.yaml:6:5 tasks[1].name: expected a string, received undefined",
    );
  });

  it("places an empty value right after its key", async () => {
    const error = await errorOf(() => parseWorkflow(brief("timeout: 7200", "timeout:"), inFile));
    expect(error.message).toBe(
      '[flowmesh] pipeline.yaml:8:13 tasks[1].timeout: expected a duration (seconds as a number, or a string like "5m"), received object',
    );
  });

  it("reports duplicate task names and self-dependencies together, each where it is", async () => {
    const text = "name: etl\ntasks:\n  - name: a\n  - name: a\n  - name: b\n    depends_on: [b]\n";
    const error = await errorOf(() => parseWorkflow(text, inFile));
    expect(error.message).toBe(
      '[flowmesh] pipeline.yaml:4:11 tasks[1].name: duplicate task "a" (first at tasks[0])\n' +
        'pipeline.yaml:6:18 tasks[2].depends_on[0]: task "b" depends on itself',
    );
  });

  it("reports a cycle as FM_ERR_CYCLE at the dependency that closes it", async () => {
    const error = await errorOf(() => parseWorkflow(brief("[extract_s3]", "[load_warehouse]"), inFile));
    expect(error.code).toBe("FM_ERR_CYCLE");
    expect(error.message).toBe(
      "[flowmesh] pipeline.yaml:7:18 tasks[1].depends_on[0]: dependency cycle: transform_spark -> load_warehouse -> transform_spark",
    );
    expect(error.details).toMatchObject({
      file: "pipeline.yaml",
      line: 7,
      column: 18,
      path: "tasks[1].depends_on[0]",
      cycles: [["transform_spark", "load_warehouse", "transform_spark"]],
    });
  });

  it("reports each of several cycles at its own closing dependency (camelCase files too)", async () => {
    const text = [
      "name: loops",
      "tasks:",
      "  - { name: a, dependsOn: [b] }",
      "  - { name: b, dependsOn: [a] }",
      "  - { name: c, dependsOn: [d] }",
      "  - { name: d, dependsOn: [c] }",
    ].join("\n");
    const error = await errorOf(() => parseWorkflow(text, inFile));
    expect(error.message).toBe(
      "[flowmesh] pipeline.yaml:3:28 tasks[0].dependsOn[0]: dependency cycle: a -> b -> a\n" +
        "pipeline.yaml:5:28 tasks[2].dependsOn[0]: dependency cycle: c -> d -> c",
    );
  });

  it("places two spellings of one setting on the second key", async () => {
    const text =
      "name: etl\ntasks:\n  - name: a\n  - name: b\n    dependsOn: [a]\n    depends_on: [a]\n    retry: 2\n    retry_count: 3\n";
    const error = await errorOf(() => parseWorkflow(text, inFile));
    expect(error.message).toBe(
      '[flowmesh] pipeline.yaml:6:5 tasks[1].depends_on: "dependsOn" and "depends_on" are the same setting; give only one\n' +
        'pipeline.yaml:8:5 tasks[1].retry_count: "retry" already sets the number of retries; give only one of "retry" and "retry_count"',
    );
  });

  it("follows a retry policy's own keys", async () => {
    const text =
      "name: etl\ntasks:\n  - name: a\n    retry:\n      max_retries: lots\n      base_delay: 1x\n";
    const error = await errorOf(() => parseWorkflow(text, inFile));
    expect(error.message).toBe(
      '[flowmesh] pipeline.yaml:5:20 tasks[0].retry.max_retries: expected a number, received "lots"\n' +
        'pipeline.yaml:6:19 tasks[0].retry.base_delay: expected a duration such as 30, "250ms", "30s", "5m", "2h" or "1d", received "1x"',
    );
  });

  it("names keys that are not identifiers the way paths write them", async () => {
    const error = await errorOf(() =>
      parseWorkflow('name: etl\ntasks:\n  - name: a\n    "time out": 3\n', inFile),
    );
    expect(error.message).toMatch(/^\[flowmesh\] pipeline\.yaml:4:5 tasks\[0\]\["time out"\]: unknown key/);
  });

  it("places an issue reached through an alias at the alias, the anchor's own issue at the anchor", async () => {
    const text =
      "name: etl\ntasks:\n  - name: a\n  - name: b\n    depends_on: &deps [a, nope]\n  - name: c\n    depends_on: *deps\n";
    const error = await errorOf(() => parseWorkflow(text, inFile));
    expect(error.message).toBe(
      '[flowmesh] pipeline.yaml:5:27 tasks[1].depends_on[1]: unknown task "nope"\n' +
        'pipeline.yaml:7:17 tasks[2].depends_on[1]: unknown task "nope"',
    );
  });

  it("reports an empty task list, a document that is not a workflow, and an empty document", async () => {
    expect((await errorOf(() => parseWorkflow("name: etl\ntasks: []\n", inFile))).message).toBe(
      "[flowmesh] pipeline.yaml:2:8 tasks: a workflow needs at least one task",
    );
    expect((await errorOf(() => parseWorkflow("- name: a\n- name: b\n", inFile))).message).toBe(
      "[flowmesh] pipeline.yaml:1:1: expected an object, received an array",
    );
    for (const empty of ["", "\n\n", "# nothing here yet\n"]) {
      expect((await errorOf(() => parseWorkflow(empty, inFile))).message).toBe(
        "[flowmesh] pipeline.yaml:1:1: the document is empty: expected a workflow with a name and tasks",
      );
    }
  });

  it('refuses a "$schema" that is not a string', async () => {
    const error = await errorOf(() =>
      parseWorkflow('{ "$schema": 1, "name": "w", "tasks": [{ "name": "a" }] }', { source: "w.json" }),
    );
    expect(error.message).toBe(
      "[flowmesh] w.json:1:14 $schema: expected the JSON Schema's URL or path as a string",
    );
  });

  it("places JSON errors too", async () => {
    const text = '{\n  "name": "w",\n  "tasks": [\n    { "name": "a", "dependsOn": ["x"] }\n  ]\n}\n';
    const error = await errorOf(() => parseWorkflow(text, { source: "w.json" }));
    expect(error.message).toBe('[flowmesh] w.json:4:34 tasks[0].dependsOn[0]: unknown task "x"');
  });

  it("names a text without a file <input>", async () => {
    const error = await errorOf(() => parseWorkflow(brief("[extract_s3]", "[extract]")));
    expect(error.message).toBe('[flowmesh] <input>:7:18 tasks[1].depends_on[0]: unknown task "extract"');
    expect(error.details).toMatchObject({ file: undefined, line: 7, column: 18 });
  });

  it("lists issues in the order of the file, the first twenty in the message and all in details", async () => {
    const tasks = Array.from({ length: 25 }, (_, i) => `  - { name: t${i}, depends_on: [missing${i}] }`);
    const error = await errorOf(() => parseWorkflow(`name: many\ntasks:\n${tasks.join("\n")}\n`, inFile));
    const lines = error.message.split("\n");
    expect(lines).toHaveLength(21);
    expect(lines[0]).toBe('[flowmesh] pipeline.yaml:3:30 tasks[0].depends_on[0]: unknown task "missing0"');
    expect(lines[19]).toBe('pipeline.yaml:22:31 tasks[19].depends_on[0]: unknown task "missing19"');
    expect(lines[20]).toBe("... and 5 more");
    expect((error.details!.issues as { line: number }[]).map((issue) => issue.line)).toEqual(
      Array.from({ length: 25 }, (_, i) => i + 3),
    );
  });
});
