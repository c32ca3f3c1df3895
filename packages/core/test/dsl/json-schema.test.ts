import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { parseWorkflow, toJSON, toYAML, workflowJsonSchema } from "../../src/index.js";
import { DURATION_PATTERN } from "../../src/dsl/json-schema.js";
import { tryParseDuration } from "../../src/duration.js";
import { BRIEF_YAML } from "./support/brief.js";
import { validate } from "./support/json-schema-validator.js";

const coreDir = fileURLToPath(new URL("../../", import.meta.url));
const repoDir = resolve(coreDir, "../..");
const schemaFile = join(coreDir, "schema/workflow.schema.json");
const committed = JSON.parse(readFileSync(schemaFile, "utf8")) as Record<string, unknown>;

/** Workflow files in the repository that declare the shipped schema, with the schema path each declares. */
function declaringFiles(): { file: string; declared: string; value: unknown }[] {
  const found: { file: string; declared: string; value: unknown }[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === "node_modules" || entry.name === "dist" || entry.name.startsWith(".")) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ya?ml|json)$/.test(entry.name)) {
        const text = readFileSync(path, "utf8");
        // Other YAML and JSON (configs, tsconfig files with comments) do not name the schema: skip them unread.
        if (!text.includes("workflow.schema.json")) continue;
        const modeline = /^# yaml-language-server: \$schema=(\S*workflow\.schema\.json)$/m.exec(text)?.[1];
        const value: unknown = entry.name.endsWith(".json") ? JSON.parse(text) : parse(text);
        const key = (value as { $schema?: unknown } | null)?.$schema;
        const declared =
          modeline ?? (typeof key === "string" && key.endsWith("workflow.schema.json") ? key : undefined);
        if (declared !== undefined) found.push({ file: path, declared, value });
      }
    }
  };
  walk(join(repoDir, "examples"));
  walk(join(coreDir, "test/dsl/fixtures"));
  return found;
}

const files = declaringFiles();

describe("the shipped JSON Schema", () => {
  it("is what the generator produces now (run `pnpm build && pnpm --filter @flowmesh/core schema` to update it)", () => {
    expect(committed).toEqual(workflowJsonSchema());
  });

  it("is in the package's files and exports map", () => {
    const pkg = JSON.parse(readFileSync(join(coreDir, "package.json"), "utf8")) as {
      files: string[];
      exports: Record<string, unknown>;
    };
    expect(pkg.files).toContain("schema");
    expect(pkg.exports["./schema/workflow.schema.json"]).toBe("./schema/workflow.schema.json");
  });

  it("describes every key, for editor completion and hover", () => {
    const undocumented: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (typeof node !== "object" || node === null) return;
      const properties = (node as { properties?: Record<string, { description?: string }> }).properties;
      for (const [key, value] of Object.entries(properties ?? {})) {
        if (typeof value.description !== "string") undocumented.push(`${path}.${key}`);
      }
      for (const [key, value] of Object.entries(node)) walk(value, `${path}.${key}`);
    };
    walk(committed, "");
    expect(undocumented).toEqual([]);
  });

  it("validates the example and fixture workflow files that declare it", () => {
    expect(files.map((f) => relative(repoDir, f.file)).sort()).toEqual(
      expect.arrayContaining([
        "examples/data-pipeline/pipeline.yaml",
        "packages/core/test/dsl/fixtures/ml-training.yaml",
        "packages/core/test/dsl/fixtures/modules/pipeline.yaml",
        "packages/core/test/dsl/fixtures/pipeline.json",
        "packages/core/test/dsl/fixtures/pipeline.yaml",
      ]),
    );
    for (const { file, value } of files) {
      expect({ file: relative(repoDir, file), errors: validate(committed, value) }).toEqual({
        file: relative(repoDir, file),
        errors: [],
      });
    }
  });

  it("is where each of those files says it is", () => {
    for (const { file, declared } of files) {
      const target = resolve(dirname(file), declared);
      expect(existsSync(target), `${file} points at ${declared}`).toBe(true);
      expect(realpathSync(target)).toBe(realpathSync(schemaFile));
    }
  });

  it("holds the brief's YAML and everything toYAML and toJSON write", () => {
    const definition = parseWorkflow(BRIEF_YAML);
    expect(validate(committed, parse(BRIEF_YAML))).toEqual([]);
    for (const keys of ["snake_case", "camelCase"] as const) {
      expect(validate(committed, parse(toYAML(definition, { keys })))).toEqual([]);
      expect(validate(committed, JSON.parse(toJSON(definition, { keys, schema: "x" })))).toEqual([]);
    }
  });

  it.each([
    [
      "an unknown key",
      { name: "w", tasks: [{ name: "a", dependz: ["b"] }] },
      ["tasks[0].dependz: not allowed"],
    ],
    [
      "a handler that is not a string",
      { name: "w", tasks: [{ name: "a", handler: 1 }] },
      ["tasks[0].handler: expected string"],
    ],
    [
      "a duration without a known unit",
      { name: "w", tasks: [{ name: "a", timeout: "soon" }] },
      ["tasks[0].timeout: matches none of anyOf"],
    ],
    ["a zero timeout", { name: "w", timeout: 0, tasks: [{ name: "a" }] }, ["timeout: matches none of anyOf"]],
    [
      "a negative retry count",
      { name: "w", tasks: [{ name: "a", retry_count: -1 }] },
      ["tasks[0].retry_count: below minimum"],
    ],
    [
      "a bad retry policy key",
      { name: "w", tasks: [{ name: "a", retry: { tries: 2 } }] },
      ["tasks[0].retry: matches none of anyOf"],
    ],
    [
      "a task name with spaces",
      { name: "w", tasks: [{ name: "a b" }] },
      [`tasks[0].name: does not match ^[A-Za-z0-9_][A-Za-z0-9_.-]*$`],
    ],
    ["no tasks", { name: "w", tasks: [] }, ["tasks: too few items"]],
    ["no name", { tasks: [{ name: "a" }] }, ['(root): missing required "name"']],
  ])("rejects %s", (_what, document, errors) => {
    expect(validate(committed, document)).toEqual(errors);
  });

  it("describes durations with the pattern the duration parser reads", () => {
    const pattern = new RegExp(DURATION_PATTERN, "u");
    for (const sample of [
      "250ms",
      "30s",
      "5m",
      "2h",
      "1d",
      "30",
      "1.5s",
      " 2 h ",
      ".5m",
      "0",
      "10x",
      "5 mins",
      "-1s",
      "1e3",
      "",
      "h",
    ]) {
      expect(pattern.test(sample), sample).toBe("ms" in tryParseDuration(sample));
    }
  });
});
