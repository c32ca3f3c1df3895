import { mkdtemp, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseWorkflow, parseWorkflowFile } from "../../src/index.js";
import { errorOf } from "../support/engine.js";

const yamlFile = { source: "pipeline.yaml" } as const;
const jsonFile = { source: "pipeline.json" } as const;

/** The classic billion laughs: nine levels of ten aliases each, 10^9 strings if expanded. */
function billionLaughs(): string {
  const lines = ["name: lol", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let level = 1; level < 9; level++) {
    const name = String.fromCharCode(97 + level);
    const previous = String.fromCharCode(96 + level);
    lines.push(`${name}: &${name} [${Array.from({ length: 10 }, () => `*${previous}`).join(",")}]`);
  }
  lines.push("tasks: [{ name: a, description: *i }]");
  return lines.join("\n");
}

describe("tags", () => {
  it.each([
    ["a custom tag", "description: !shell rm -rf /", "!shell", 3, 18],
    ["a JS-YAML function tag", "description: !!js/function 'x'", "!!js/function", 3, 18],
    ["a YAML 1.1 binary", "description: !!binary aGVsbG8=", "!!binary", 3, 18],
    ["a YAML 1.1 timestamp", "description: !!timestamp 2025-01-31", "!!timestamp", 3, 18],
    ["a YAML 1.1 set", "policies: !!set { a, b }", "!!set", 3, 15],
  ])("refuses %s where it is", async (_what, line, tag, row, column) => {
    const text = `name: w\ntasks:\n  - ${line}\n    name: a\n`;
    const error = await errorOf(() => parseWorkflow(text, yamlFile));
    expect(error.code).toBe("FM_ERR_INVALID_DEFINITION");
    expect(error.message).toBe(
      `[flowmesh] pipeline.yaml:${row}:${column} tasks[0]: unknown tag "${tag}": custom tags are not allowed (only !!str, !!int, !!float, !!bool, !!null, !!seq, !!map)`.replace(
        "tasks[0]:",
        `tasks[0].${line.split(":")[0]}:`,
      ),
    );
  });
});

describe("aliases", () => {
  it("refuses an alias bomb fast, at its first alias", async () => {
    const started = performance.now();
    const error = await errorOf(() => parseWorkflow(billionLaughs(), yamlFile));
    const elapsed = performance.now() - started;
    expect(error.message).toBe(
      "[flowmesh] pipeline.yaml:3:8 b[0]: more than 100 alias expansions (option maxAliasCount): refused as an alias bomb",
    );
    expect(error.cause).toBeInstanceOf(ReferenceError);
    // Expanding it would take minutes and gigabytes; refusing it takes milliseconds.
    expect(elapsed).toBeLessThan(1000);
  });

  it("allows reuse through anchors up to maxAliasCount, and none with 0", async () => {
    const text =
      "name: w\ntasks:\n  - { name: a, retry: &p { max_retries: 2 } }\n  - { name: b, retry: *p }\n";
    expect(parseWorkflow(text).tasks.map((t) => t.retry)).toEqual([2, 2]);
    expect((await errorOf(() => parseWorkflow(text, { ...yamlFile, maxAliasCount: 0 }))).message).toBe(
      "[flowmesh] pipeline.yaml:4:23 tasks[1].retry: aliases are not allowed (maxAliasCount is 0)",
    );
    const three =
      "name: w\ntasks:\n  - { name: a, policies: &p [x] }\n  - { name: b, policies: *p }\n  - { name: c, policies: *p }\n  - { name: d, policies: *p }\n";
    expect(parseWorkflow(three).tasks.map((t) => t.policies)).toEqual([["x"], ["x"], ["x"], ["x"]]);
    expect((await errorOf(() => parseWorkflow(three, { ...yamlFile, maxAliasCount: 2 }))).message).toBe(
      "[flowmesh] pipeline.yaml:4:26 tasks[1].policies: more than 2 alias expansions (option maxAliasCount): refused as an alias bomb",
    );
  });

  it("refuses an alias to an anchor that does not exist", async () => {
    const error = await errorOf(() =>
      parseWorkflow("name: w\ntasks:\n  - { name: a, retry: *nope }\n", yamlFile),
    );
    expect(error.message).toMatch(/^\[flowmesh\] pipeline\.yaml:3:23 tasks\[0\]\.retry: .*nope/);
  });
});

describe("size", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "flowmesh-dsl-size-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses text over 1 MiB by default, before parsing it", async () => {
    const text = `name: w\ntasks: [{ name: a }]\ndescription: ${"x".repeat(1024 * 1024)}\n`;
    const error = await errorOf(() => parseWorkflow(text, yamlFile));
    expect(error.message).toBe(
      `[flowmesh] pipeline.yaml: ${text.length} bytes is over the 1048576-byte limit for a workflow definition (option maxBytes)`,
    );
    expect(error.details).toEqual({ file: "pipeline.yaml", bytes: text.length, maxBytes: 1048576 });
  });

  it("counts bytes, not characters, against maxBytes", async () => {
    const text = `name: é\ntasks: [{ name: a }]\n`;
    expect([text.length, Buffer.byteLength(text)]).toEqual([29, 30]);
    expect(parseWorkflow(text, { maxBytes: 30 }).name).toBe("é");
    const error = await errorOf(() => parseWorkflow(text, { ...yamlFile, maxBytes: 29 }));
    expect(error.message).toBe(
      "[flowmesh] pipeline.yaml: 30 bytes is over the 29-byte limit for a workflow definition (option maxBytes)",
    );
  });

  it("refuses a file over the limit without reading it", async () => {
    const file = join(dir, "huge.yaml");
    await writeFile(file, "");
    // A sparse 64 GiB file: reading it would exhaust memory, checking its size costs nothing.
    await truncate(file, 64 * 1024 ** 3);
    const error = await errorOf(() => parseWorkflowFile(file));
    expect(error.message).toBe(
      `[flowmesh] ${file}: 68719476736 bytes is over the 1048576-byte limit for a workflow definition (option maxBytes)`,
    );
  });

  it("refuses a file that is not UTF-8", async () => {
    const file = join(dir, "latin1.yaml");
    await writeFile(file, Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xe9, 0x0a]));
    expect((await errorOf(() => parseWorkflowFile(file))).message).toBe(`[flowmesh] ${file}: not UTF-8 text`);
  });
});

describe("keys", () => {
  it("refuses duplicate keys in YAML, naming the first", async () => {
    const text = "name: w\ntasks:\n  - name: a\n    timeout: 1\n    priority: 2\n    timeout: 3\nname: v\n";
    const error = await errorOf(() => parseWorkflow(text, yamlFile));
    expect(error.message).toBe(
      '[flowmesh] pipeline.yaml:6:5 tasks[0].timeout: duplicate key "timeout" (first on line 4)\n' +
        'pipeline.yaml:7:1 name: duplicate key "name" (first on line 1)',
    );
  });

  it("refuses duplicate keys in JSON, which JSON.parse would silently drop", async () => {
    const text = '{\n  "name": "w",\n  "tasks": [{ "name": "a", "timeout": 1, "timeout": 2 }]\n}\n';
    const error = await errorOf(() => parseWorkflow(text, jsonFile));
    expect(error.message).toBe(
      '[flowmesh] pipeline.json:3:42 tasks[0].timeout: duplicate key "timeout" (first on line 3)',
    );
  });

  it("checks a map of 50,000 keys in linear time (the yaml library's own check is quadratic)", async () => {
    const keys = Array.from({ length: 50_000 }, (_, i) => `k${i}: 1`).join("\n");
    const started = performance.now();
    const error = await errorOf(() =>
      parseWorkflow(`name: w\ntasks: [{ name: a }]\n${keys}\nk7: 2\n`, yamlFile),
    );
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(error.message.split("\n")[0]).toBe(
      '[flowmesh] pipeline.yaml:50003:1 k7: duplicate key "k7" (first on line 10)',
    );
  });

  it("refuses keys that are collections or aliases", async () => {
    const text = "name: w\ntasks: [{ name: a }]\n? [x, y]\n: 1\n";
    expect((await errorOf(() => parseWorkflow(text, yamlFile))).message).toBe(
      "[flowmesh] pipeline.yaml:3:3: expected a string key, not a collection or an alias",
    );
  });

  it("does not merge << keys: they are unknown keys", async () => {
    const text = "name: w\nbase: &base { timeout: 5 }\ntasks:\n  - { <<: *base, name: a }\n";
    const error = await errorOf(() => parseWorkflow(text, yamlFile));
    expect(error.message).toContain("pipeline.yaml:2:1 base: unknown key");
    expect(error.message).toContain('pipeline.yaml:4:7 tasks[0]["<<"]: unknown key');
  });

  it("refuses __proto__ as an unknown key, without touching any prototype", async () => {
    for (const [text, options] of [
      ["name: w\n__proto__: { polluted: true }\ntasks: [{ name: a }]\n", yamlFile],
      ['{ "name": "w", "__proto__": { "polluted": true }, "tasks": [{ "name": "a" }] }', jsonFile],
    ] as const) {
      const error = await errorOf(() => parseWorkflow(text, options));
      expect(error.message).toMatch(/:\d+:\d+ __proto__: unknown key/);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("structure", () => {
  it("refuses documents nested deeper than 64 levels, fast and without exhausting the stack", async () => {
    // A megabyte of brackets overflows the yaml composer's recursion; it must never get that far.
    const started = performance.now();
    const error = await errorOf(() => parseWorkflow("[".repeat(1024 * 1024 - 1), yamlFile));
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(error.message).toBe("[flowmesh] pipeline.yaml:1:65: nested deeper than 64 levels");
    const json = `{"name":"w","tasks":[{"name":"a"}],"x":${"[".repeat(70)}${"]".repeat(70)}}`;
    expect((await errorOf(() => parseWorkflow(json, jsonFile))).message).toBe(
      "[flowmesh] pipeline.json:1:103: nested deeper than 64 levels",
    );
  });

  it("refuses a second YAML document", async () => {
    const text = "name: w\ntasks: [{ name: a }]\n---\nname: v\n";
    expect((await errorOf(() => parseWorkflow(text, yamlFile))).message).toBe(
      "[flowmesh] pipeline.yaml:3:1: a workflow file holds one YAML document; a second one starts here",
    );
  });

  it("reports YAML syntax errors where they are", async () => {
    const error = await errorOf(() => parseWorkflow("name: w\ntasks: [{ name: a }\n", yamlFile));
    expect(error.code).toBe("FM_ERR_INVALID_DEFINITION");
    expect(error.message).toBe(
      "[flowmesh] pipeline.yaml:3:1: flow sequence in block collection must be sufficiently indented and end with a ]",
    );
    const indent = await errorOf(() =>
      parseWorkflow("name: w\ntasks:\n  - name: a\n   timeout: 1\n", yamlFile),
    );
    expect(indent.message).toBe("[flowmesh] pipeline.yaml:4:1: sequence item without - indicator");
    const tabs = await errorOf(() => parseWorkflow("name: w\ntasks:\n\t- name: a\n", yamlFile));
    expect(tabs.message).toBe("[flowmesh] pipeline.yaml:3:1: tabs are not allowed as indentation");
  });
});

describe("strict JSON", () => {
  it.each([
    [
      "a trailing comma",
      '{"name": "w", "tasks": [{"name": "a"},]}',
      '1:39: invalid JSON: expected another item after a comma (trailing commas are not JSON), found "]"',
    ],
    [
      "a comment",
      '{"name": "w", // the name\n "tasks": []}',
      '1:15: invalid JSON: expected a double-quoted key, found "/"',
    ],
    ["single quotes", "{'name': 'w'}", '1:2: invalid JSON: expected a double-quoted key, found "\'"'],
    ["an unquoted key", "{name: 1}", '1:2: invalid JSON: expected a double-quoted key, found "n"'],
    ["a missing comma", '{"name": "w"\n "tasks": []}', '2:2: invalid JSON: expected "," or "}", found "\\""'],
    [
      "a bare word",
      '{"name": tru}',
      '1:10: invalid JSON: expected a value (object, array, string, number, true, false or null), found "t"',
    ],
    [
      "NaN",
      '{"name": NaN}',
      '1:10: invalid JSON: expected a value (object, array, string, number, true, false or null), found "N"',
    ],
    [
      "a raw newline in a string",
      '{"name": "a\nb"}',
      "1:12: invalid JSON: expected a control character in a string to be escaped (\\n, \\t, \\u0000), found U+000A",
    ],
    [
      "a bad escape",
      '{"name": "a\\qb"}',
      '1:12: invalid JSON: expected an escape such as \\n, \\" or \\u00e9, found "\\\\"',
    ],
    ["an unterminated string", '{"name": "abc', "1:10: invalid JSON: unterminated string"],
    [
      "text after the value",
      '{"name": "w"} {}',
      '1:15: invalid JSON: expected the end of the input, found "{"',
    ],
    [
      "nothing",
      "   ",
      "1:4: invalid JSON: unexpected end of input, expected a value (object, array, string, number, true, false or null)",
    ],
  ])("refuses %s, saying where", async (_what, text, expected) => {
    const error = await errorOf(() => parseWorkflow(text, jsonFile));
    expect(error.message).toBe(`[flowmesh] pipeline.json:${expected}`);
    expect(error.details).toMatchObject({ file: "pipeline.json", path: "" });
  });
});
