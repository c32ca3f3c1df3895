import { readFile, stat } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import {
  normalizeWorkflow,
  parseWorkflow,
  parseWorkflowFile,
  planWorkflow,
  type WorkflowDefinitionInput,
} from "../../src/index.js";
import { DEFAULT_RETRY_POLICY } from "../../src/model/schema.js";
import { BRIEF_YAML } from "./support/brief.js";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

const HOUR = 3_600_000;

describe("parseWorkflow", () => {
  it("loads the brief's Customer Data Pipeline unchanged: numbers are seconds, snake_case keys work", () => {
    const definition = parseWorkflow(BRIEF_YAML, { format: "yaml" });
    const normalized = normalizeWorkflow(definition);
    expect(normalized.name).toBe("Customer Data Pipeline");
    expect(normalized.tasks.map((t) => [t.name, t.timeoutMs, t.retry.maxRetries, t.dependsOn])).toEqual([
      ["extract_s3", HOUR, 3, []],
      ["transform_spark", 2 * HOUR, 0, ["extract_s3"]],
      ["load_warehouse", HOUR / 2, 0, ["transform_spark"]],
    ]);
  });

  it("returns the definition input with every handler a string reference, the task name by default", () => {
    expect(parseWorkflow(BRIEF_YAML)).toEqual({
      name: "Customer Data Pipeline",
      tasks: [
        { name: "extract_s3", handler: "extract_s3", timeout: 3600, retry: 3 },
        { name: "transform_spark", handler: "transform_spark", dependsOn: ["extract_s3"], timeout: 7200 },
        { name: "load_warehouse", handler: "load_warehouse", dependsOn: ["transform_spark"], timeout: 1800 },
      ],
    } satisfies WorkflowDefinitionInput);
  });

  it("reads camelCase and snake_case alike, and both in one file", () => {
    const camel = parseWorkflow(
      "name: Customer Data Pipeline\ntasks:\n  - { name: extract_s3, timeout: 3600, retryCount: 3 }\n" +
        "  - { name: transform_spark, dependsOn: [extract_s3], timeout: 7200 }\n" +
        "  - { name: load_warehouse, depends_on: [transform_spark], timeout: 1800 }\n",
    );
    expect(camel).toEqual(parseWorkflow(BRIEF_YAML));
  });

  it("reads the same workflow from JSON", () => {
    const json = JSON.stringify({
      name: "Customer Data Pipeline",
      tasks: [
        { name: "extract_s3", timeout: 3600, retry_count: 3 },
        { name: "transform_spark", depends_on: ["extract_s3"], timeout: 7200 },
        { name: "load_warehouse", dependsOn: ["transform_spark"], timeout: 1800 },
      ],
    });
    expect(parseWorkflow(json, { format: "json" })).toEqual(parseWorkflow(BRIEF_YAML));
  });

  it("takes the format from the source's extension, YAML when there is none", () => {
    const json = '{ "name": "w", "tasks": [{ "name": "a" }] }';
    expect(parseWorkflow(json, { source: "flows/w.json" }).name).toBe("w");
    expect(parseWorkflow("name: w\ntasks: [{ name: a }]\n", { source: "flows/w.yml" }).name).toBe("w");
    expect(parseWorkflow("name: w\ntasks: [{ name: a }]\n", { source: "flows/w" }).name).toBe("w");
    // YAML-only syntax in a .json source is refused: the extension decides.
    expect(() => parseWorkflow("name: w\ntasks: [{ name: a }]\n", { source: "w.json" })).toThrow(
      'w.json:1:1: invalid JSON: expected a value (object, array, string, number, true, false or null), found "n"',
    );
  });

  it("means what every DSL feature says: defaults, policies, units, priorities, references, anchors", async () => {
    const definition = await parseWorkflowFile(fixture("ml-training.yaml"));
    const normalized = normalizeWorkflow(definition);
    const defaultsRetry = {
      ...DEFAULT_RETRY_POLICY,
      maxRetries: 2,
      baseDelayMs: 500,
      exponentialBase: 2,
      maxDelayMs: 30_000,
      jitter: true,
    };
    expect(normalized).toEqual({
      name: "ml-training",
      version: "2",
      description: "Train and deploy the churn model every night.",
      namespace: "data-science",
      timeoutMs: 2 * HOUR,
      tasks: [
        {
          name: "load_data",
          handler: "data#load",
          dependsOn: [],
          timeoutMs: 600_000,
          retry: defaultsRetry,
          priority: 0,
          policies: [],
          description: "Read the feature table.",
        },
        {
          name: "train_model",
          handler: "train_model",
          dependsOn: ["load_data"],
          timeoutMs: HOUR,
          retry: { ...defaultsRetry, maxRetries: 0 },
          priority: 10,
          policies: [],
          description: undefined,
        },
        {
          name: "evaluate",
          handler: "evaluate",
          dependsOn: ["train_model"],
          timeoutMs: 600_000,
          retry: { ...defaultsRetry, maxRetries: 0 },
          priority: 0,
          policies: [],
          description: undefined,
        },
        {
          name: "deploy_model",
          handler: "deploy_model",
          dependsOn: ["train_model", "evaluate"],
          timeoutMs: 250,
          retry: { ...defaultsRetry, maxRetries: 5 },
          priority: 0,
          policies: ["circuit-breaker"],
          description: undefined,
        },
      ],
    });
  });

  it("normalizes to what the file says, with the file's own keys", async () => {
    // The parsed input is a canonical rewrite (defaults applied per task, durations in seconds);
    // normalizing it and normalizing the document as written must agree.
    const { parse } = await import("yaml");
    const text = await readFile(fixture("ml-training.yaml"), "utf8");
    expect(normalizeWorkflow(parseWorkflow(text))).toEqual(normalizeWorkflow(parse(text)));
  });

  it('ignores a top-level "$schema", how JSON files name their schema for editors', async () => {
    const definition = await parseWorkflowFile(fixture("pipeline.json"));
    expect(definition).toEqual(parseWorkflow(BRIEF_YAML));
    expect(definition).not.toHaveProperty("$schema");
  });

  it("accepts a byte order mark, and the YAML core tags", () => {
    expect(parseWorkflow('\uFEFF{ "name": "w", "tasks": [{ "name": "a" }] }', { format: "json" }).name).toBe(
      "w",
    );
    expect(parseWorkflow("\uFEFFname: !!str 2024\ntasks: !!seq [{ name: a, priority: !!int 3 }]\n")).toEqual({
      name: "2024",
      tasks: [{ name: "a", handler: "a", priority: 3 }],
    });
  });

  it("returns a definition that plans as it is, so register() cannot fail on it for schema reasons", () => {
    const definition = parseWorkflow(BRIEF_YAML);
    expect(planWorkflow(definition).tasks.map((t) => t.name)).toEqual([
      "extract_s3",
      "transform_spark",
      "load_warehouse",
    ]);
  });
});

describe("parseWorkflowFile", () => {
  it("reads YAML (.yaml, .yml) and JSON (.json) files, by path or file URL", async () => {
    const expected = parseWorkflow(BRIEF_YAML);
    expect(await parseWorkflowFile(fixture("pipeline.yaml"))).toEqual(expected);
    expect(await parseWorkflowFile(pathToFileURL(fixture("pipeline.yaml")))).toEqual(expected);
    expect(await parseWorkflowFile(fixture("pipeline.json"))).toEqual(expected);
  });

  it("names the file in its errors", async () => {
    const file = fixture("pipeline.yaml");
    const { size } = await stat(file);
    await expect(parseWorkflowFile(file, { maxBytes: 10 })).rejects.toThrow(
      `[flowmesh] ${file}: ${size} bytes is over the 10-byte limit for a workflow definition (option maxBytes)`,
    );
  });
});
