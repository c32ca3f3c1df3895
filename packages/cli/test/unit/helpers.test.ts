import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FlowMeshError } from "@flowmesh/core";
import { readRunInput } from "../../src/commands/run-input.js";
import { locateConfigFile, readBackendEntry, substitute } from "../../src/engine/backend-entry.js";
import { pickLogLevel } from "../../src/engine/cli-logger.js";
import { EXIT, exitCodeOf } from "../../src/exit-codes.js";
import { importOptional } from "../../src/optional-import.js";
import { removeProject, tempProject } from "../helpers.js";

describe("CLI helpers", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempProject({
      "input.json": '{"a":1}',
      "input.yml": "a: 2\n",
      "broken.json": "{",
      "flowmesh.config.yaml":
        'backend:\n  - "@flowmesh/plugin-postgres"\n  - connectionString: "${DB:-postgres://x/y}"\n    schema: s1\n',
      "app/package.json": JSON.stringify({ name: "app", flowmesh: { backend: "@flowmesh/plugin-redis" } }),
    });
    await mkdir(join(dir, "app/src/deep"), { recursive: true });
    await writeFile(join(dir, "app/src/deep/.keep"), "");
  });
  afterAll(() => removeProject(dir));

  it("reads --input from JSON text, @file.json, @file.yml, and says what was wrong", async () => {
    expect(await readRunInput(undefined, dir)).toBeUndefined();
    expect(await readRunInput('{"x":[1]}', dir)).toEqual({ x: [1] });
    expect(await readRunInput("@input.json", dir)).toEqual({ a: 1 });
    expect(await readRunInput("@input.yml", dir)).toEqual({ a: 2 });
    await expect(readRunInput("not json", dir)).rejects.toThrow(/--input: expected JSON .*"not json"/);
    await expect(readRunInput("@missing.json", dir)).rejects.toThrow(
      /cannot read missing\.json: no such file/,
    );
    await expect(readRunInput("@broken.json", dir)).rejects.toThrow(/--input @broken\.json: expected JSON/);
    await expect(readRunInput("@", dir)).rejects.toThrow(/expected a file name/);
  });

  it("substitutes ${VAR} and ${VAR:-default} in config data", () => {
    expect(substitute({ a: ["${A}", "x-${B:-b}"], n: 3 }, { A: "1" })).toEqual({ a: ["1", "x-b"], n: 3 });
    expect(substitute("${UNSET}", {})).toBe("");
  });

  it("finds the config file like core does, without loading it", () => {
    expect(locateConfigFile(dir, undefined)).toBe(join(dir, "flowmesh.config.yaml"));
    // The nearest package.json ends the search: its "flowmesh" key is the config.
    expect(locateConfigFile(join(dir, "app/src/deep"), undefined)).toBe(join(dir, "app/package.json"));
    expect(locateConfigFile(dir, "other.yaml")).toBe(join(dir, "other.yaml"));
  });

  it("reads the backend entry's options from YAML configs and package.json", async () => {
    expect(await readBackendEntry(join(dir, "flowmesh.config.yaml"), { DB: "postgres://real/db" })).toEqual({
      specifier: "@flowmesh/plugin-postgres",
      options: { connectionString: "postgres://real/db", schema: "s1" },
    });
    expect(await readBackendEntry(join(dir, "app/package.json"), {})).toEqual({
      specifier: "@flowmesh/plugin-redis",
      options: {},
    });
    expect(await readBackendEntry(join(dir, "flowmesh.config.ts"), {})).toBeUndefined();
    await expect(readBackendEntry(join(dir, "nope.yaml"), {})).rejects.toThrow(/nope\.yaml: not found/);
  });

  it("picks the log level: flag, then config, then FLOWMESH_LOG_LEVEL, then the command's default", () => {
    expect(pickLogLevel({ flag: "debug", config: "warn", env: "info", fallback: "error" })).toBe("debug");
    expect(pickLogLevel({ config: "warn", env: "info", fallback: "error" })).toBe("warn");
    expect(pickLogLevel({ env: "info", fallback: "error" })).toBe("info");
    expect(pickLogLevel({ env: "", fallback: "error" })).toBe("error");
    expect(() => pickLogLevel({ env: "chatty", fallback: "error" })).toThrow(
      /FLOWMESH_LOG_LEVEL: expected one of/,
    );
  });

  it("maps errors to exit codes: bad input and located file errors 2, anything else 1", () => {
    expect(exitCodeOf(new FlowMeshError("FM_ERR_INVALID_DEFINITION", "x"))).toBe(EXIT.usage);
    expect(exitCodeOf(new FlowMeshError("FM_ERR_PLUGIN", "x"))).toBe(EXIT.usage);
    expect(
      exitCodeOf(new FlowMeshError("FM_ERR_HOOK", "x", { details: { file: "a.yaml", issues: [] } })),
    ).toBe(EXIT.usage);
    expect(exitCodeOf(new FlowMeshError("FM_ERR_BACKEND", "x"))).toBe(EXIT.failed);
    expect(exitCodeOf(new Error("x"))).toBe(EXIT.failed);
  });

  it("imports optional packages, and names the package to install when one is missing", async () => {
    const yaml = await importOptional<{ parse: (s: string) => unknown }>("yaml", ["parse"], dir, {
      command: "test",
      install: "npm install yaml",
    });
    expect(yaml.parse("a: 1")).toEqual({ a: 1 });
    const missing = importOptional("@flowmesh/plugin-nonexistent", ["x"], dir, {
      command: "migrate",
      install: "npm install @flowmesh/plugin-nonexistent pg",
    });
    await expect(missing).rejects.toThrow(
      /flowmesh migrate needs @flowmesh\/plugin-nonexistent, which is not installed: install .* \(npm install @flowmesh\/plugin-nonexistent pg\)/,
    );
    await expect(missing).rejects.toMatchObject({ code: "FM_ERR_PLUGIN" });
    await expect(
      importOptional("yaml", ["nothere" as never], dir, { command: "t", install: "i" }),
    ).rejects.toThrow(/yaml does not export nothere/);
  });
});
