import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  normalizeWorkflow,
  parseWorkflow,
  toJSON,
  toYAML,
  type TaskDefinitionInput,
  type WorkflowDefinition,
  type WorkflowDefinitionInput,
} from "../../src/index.js";
import { errorOf } from "../support/engine.js";
import { BRIEF_YAML } from "./support/brief.js";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** What a definition means once its function handlers are referred to by name, as files do. */
function byReference(definition: WorkflowDefinitionInput | WorkflowDefinition): WorkflowDefinition {
  const normalized = normalizeWorkflow(definition);
  return {
    ...normalized,
    tasks: normalized.tasks.map((task) => ({
      ...task,
      handler: typeof task.handler === "string" ? task.handler : task.name,
    })),
  };
}

const extract = async () => [1, 2, 3];
const transform = (ctx: { deps: Record<string, unknown> }) =>
  (ctx.deps.extract as number[]).map((n) => n * 2);

/** A definition written in code, using everything a definition can say. */
const inCode: WorkflowDefinitionInput = {
  name: "nightly-etl",
  version: 3,
  description: "Orders into the warehouse: extract, transform, load.",
  timeout: "2h",
  defaults: { timeout: 30, retry: { maxRetries: 1, baseDelay: "250ms" } },
  tasks: [
    { name: "extract", handler: extract, retry: { maxRetries: 3, exponentialBase: 3, jitter: false } },
    { name: "transform", handler: transform, dependsOn: ["extract"], priority: 5 },
    {
      name: "load",
      handler: "warehouse#load",
      dependsOn: ["transform", "extract"],
      timeout: "1m",
      retry: 0,
      policies: ["circuit-breaker", "bulkhead"],
      description: "Upsert into warehouse.orders",
    },
  ],
};

describe("toYAML", () => {
  it("writes the brief's pipeline back exactly as the brief prints it", () => {
    expect(toYAML(parseWorkflow(BRIEF_YAML))).toBe(BRIEF_YAML);
  });

  it("writes a definition from code in the brief's style: seconds, snake_case, functions by name", () => {
    expect(toYAML(inCode)).toBe(
      [
        "name: nightly-etl",
        'version: "3"',
        'description: "Orders into the warehouse: extract, transform, load."',
        "timeout: 7200",
        "tasks:",
        "  - name: extract",
        "    timeout: 30",
        "    retry:",
        "      max_retries: 3",
        "      base_delay: 0.25",
        "      exponential_base: 3",
        "      jitter: false",
        "  - name: transform",
        "    depends_on: [extract]",
        "    timeout: 30",
        "    retry:",
        "      max_retries: 1",
        "      base_delay: 0.25",
        "    priority: 5",
        "  - name: load",
        "    handler: warehouse#load",
        "    description: Upsert into warehouse.orders",
        "    depends_on: [transform, extract]",
        "    timeout: 60",
        "    retry:",
        "      base_delay: 0.25",
        "    policies: [circuit-breaker, bulkhead]",
        "",
      ].join("\n"),
    );
  });

  it("writes camelCase on request, and an editor schema line", () => {
    const text = toYAML(parseWorkflow(BRIEF_YAML), { keys: "camelCase", schema: "./workflow.schema.json" });
    expect(text.split("\n").slice(0, 7)).toEqual([
      "# yaml-language-server: $schema=./workflow.schema.json",
      "",
      "name: Customer Data Pipeline",
      "tasks:",
      "  - name: extract_s3",
      "    timeout: 3600",
      "    retry: 3",
    ]);
    expect(text).toContain("dependsOn: [extract_s3]");
    expect(parseWorkflow(text)).toEqual(parseWorkflow(BRIEF_YAML));
  });

  it("quotes strings a YAML 1.1 reader would take for booleans, numbers or dates", async () => {
    const text = toYAML({
      name: "yes",
      version: "1_000",
      tasks: [
        { name: "on", description: "2025-01-31" },
        { name: "plain", description: "a b" },
      ],
    });
    expect(text).toBe(
      'name: "yes"\nversion: "1_000"\ntasks:\n  - name: "on"\n    description: "2025-01-31"\n' +
        "  - name: plain\n    description: a b\n",
    );
    const { parse } = await import("yaml");
    expect(parse(text, { version: "1.1" })).toMatchObject({ name: "yes", tasks: [{ name: "on" }, {}] });
  });

  it("refuses an invalid definition with the usual error", async () => {
    const error = await errorOf(() => toYAML({ name: "x", tasks: [{ name: "a", timeout: "soon" }] }));
    expect(error.code).toBe("FM_ERR_INVALID_DEFINITION");
    expect(error.message).toContain("tasks[0].timeout");
  });
});

describe("toJSON", () => {
  it("writes camelCase JSON, the definition input's own spelling", () => {
    expect(JSON.parse(toJSON(inCode))).toEqual({
      name: "nightly-etl",
      version: "3",
      description: "Orders into the warehouse: extract, transform, load.",
      timeout: 7200,
      tasks: [
        {
          name: "extract",
          timeout: 30,
          retry: { maxRetries: 3, baseDelay: 0.25, exponentialBase: 3, jitter: false },
        },
        {
          name: "transform",
          dependsOn: ["extract"],
          timeout: 30,
          retry: { maxRetries: 1, baseDelay: 0.25 },
          priority: 5,
        },
        {
          name: "load",
          handler: "warehouse#load",
          description: "Upsert into warehouse.orders",
          dependsOn: ["transform", "extract"],
          timeout: 60,
          retry: { baseDelay: 0.25 },
          policies: ["circuit-breaker", "bulkhead"],
        },
      ],
    });
    expect(toJSON(parseWorkflow(BRIEF_YAML))).toBe(
      '{\n  "name": "Customer Data Pipeline",\n  "tasks": [\n    {\n      "name": "extract_s3",\n' +
        '      "timeout": 3600,\n      "retry": 3\n    },\n    {\n      "name": "transform_spark",\n' +
        '      "dependsOn": [\n        "extract_s3"\n      ],\n      "timeout": 7200\n    },\n    {\n' +
        '      "name": "load_warehouse",\n      "dependsOn": [\n        "transform_spark"\n      ],\n' +
        '      "timeout": 1800\n    }\n  ]\n}\n',
    );
  });

  it('writes snake_case on request, and a "$schema" key first', () => {
    const text = toJSON(parseWorkflow(BRIEF_YAML), { keys: "snake_case", schema: "./workflow.schema.json" });
    const doc = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual(["$schema", "name", "tasks"]);
    expect((doc.tasks as Record<string, unknown>[])[0]).toEqual({
      name: "extract_s3",
      timeout: 3600,
      retry_count: 3,
    });
    expect(parseWorkflow(text, { format: "json" })).toEqual(parseWorkflow(BRIEF_YAML));
  });
});

describe("round trips", () => {
  const cases: [string, WorkflowDefinitionInput | WorkflowDefinition][] = [
    ["the brief's pipeline", parseWorkflow(BRIEF_YAML)],
    ["a definition in code with functions, defaults and policies", inCode],
    ["an already normalized definition", normalizeWorkflow(inCode)],
    [
      "awkward strings and durations",
      {
        name: "yes",
        version: "1.0",
        description: 'multi\nline: "quoted" #not-a-comment ünïcödé null ~ - [x]',
        timeout: 0.001,
        tasks: [
          { name: "null", description: "", timeout: "250ms", retry: { maxDelay: "1d", baseDelay: 0 } },
          { name: "a.b-c_1", dependsOn: ["null"], handler: "./tasks/s3.js#extract", timeout: 86_400 * 24 },
          { name: "0", dependsOn: ["a.b-c_1"], handler: "true", priority: -3, timeout: "1.5s" },
        ],
      },
    ],
  ];

  it.each(cases)("%s: YAML and JSON parse back to an equal definition", (_what, definition) => {
    const expected = byReference(definition);
    for (const keys of ["snake_case", "camelCase"] as const) {
      const yaml = toYAML(definition, { keys });
      expect(normalizeWorkflow(parseWorkflow(yaml, { format: "yaml" }))).toEqual(expected);
      expect(toYAML(parseWorkflow(yaml), { keys })).toBe(yaml);
      const json = toJSON(definition, { keys });
      expect(normalizeWorkflow(parseWorkflow(json, { format: "json" }))).toEqual(expected);
      expect(toJSON(parseWorkflow(json, { format: "json" }), { keys })).toBe(json);
    }
  });

  it("round-trips the fixture that uses every DSL feature", async () => {
    const definition = parseWorkflow(await readFile(fixture("ml-training.yaml"), "utf8"));
    expect(normalizeWorkflow(parseWorkflow(toYAML(definition)))).toEqual(normalizeWorkflow(definition));
  });

  it("round-trips 300 generated definitions through YAML and JSON", () => {
    let state = 42;
    const next = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const maybe = <T>(value: () => T): T | undefined => (next() < 0.5 ? value() : undefined);
    const durations = [1, 0.5, 3600, "250ms", "5m", "2h", "1d", 0.001, "30", 7.25];
    for (let n = 0; n < 300; n++) {
      const count = 1 + Math.floor(next() * 6);
      const tasks: TaskDefinitionInput[] = [];
      for (let i = 0; i < count; i++) {
        const earlier = tasks.map((t) => t.name).filter(() => next() < 0.4);
        const task: TaskDefinitionInput = { name: `t${i}_${pick(["x", "load", "s3.get", "a-b"])}` };
        if (earlier.length > 0) task.dependsOn = earlier;
        const handler = maybe(() => pick<TaskDefinitionInput["handler"]>([() => i, `ref_${i}`, "./m.js#f"]));
        if (handler !== undefined) task.handler = handler;
        const timeout = maybe(() => pick(durations));
        if (timeout !== undefined) task.timeout = timeout;
        const retry = maybe(() =>
          next() < 0.5
            ? Math.floor(next() * 5)
            : {
                maxRetries: maybe(() => Math.floor(next() * 5)),
                baseDelay: maybe(() => pick(durations)),
                exponentialBase: maybe(() => pick([1, 1.5, 2, 3])),
                maxDelay: maybe(() => pick(durations)),
                jitter: maybe(() => next() < 0.5),
              },
        );
        if (retry !== undefined) task.retry = retry;
        const priority = maybe(() => Math.floor(next() * 20) - 10);
        if (priority !== undefined) task.priority = priority;
        const policies = maybe(() => ["p1", "p2"].filter(() => next() < 0.6));
        if (policies !== undefined) task.policies = policies;
        const description = maybe(() =>
          pick(["plain", "a: b", "# hash", "'quoted'", "line\nbreak", "yes", "3"]),
        );
        if (description !== undefined) task.description = description;
        tasks.push(task);
      }
      const definition: WorkflowDefinitionInput = {
        name: `generated ${n}`,
        tasks,
        ...(next() < 0.5 ? { version: pick([1, "2", "v3", 2.5]) } : {}),
        ...(next() < 0.5 ? { timeout: pick(durations) } : {}),
        ...(next() < 0.5
          ? { defaults: { timeout: pick(durations), retry: pick([2, { baseDelay: 1 }]), priority: 1 } }
          : {}),
      };
      const expected = byReference(definition);
      expect(normalizeWorkflow(parseWorkflow(toYAML(definition))), toYAML(definition)).toEqual(expected);
      expect(normalizeWorkflow(parseWorkflow(toJSON(definition), { format: "json" }))).toEqual(expected);
    }
  });
});
