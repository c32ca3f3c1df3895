import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseWorkflow, parseWorkflowFile, type ParseWorkflowOptions } from "../../src/index.js";
import { errorOf } from "../support/engine.js";

const valid = "name: w\ntasks: [{ name: a }]\n";

describe("parse options", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "flowmesh-dsl-options-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("rejects bad options with FM_ERR_INVALID_OPTIONS, naming each", async () => {
    const bad = {
      format: "toml",
      maxBytes: -1,
      maxAliasCount: 1.5,
      extra: true,
    } as unknown as ParseWorkflowOptions;
    const error = await errorOf(() => parseWorkflow(valid, bad));
    expect(error.code).toBe("FM_ERR_INVALID_OPTIONS");
    expect(error.message).toBe(
      '[flowmesh] parseWorkflow: option "format": Invalid option: expected one of "yaml"|"json"; ' +
        'option "maxBytes": expected a number > 0, received -1; ' +
        'option "maxAliasCount": expected an integer, received 1.5; ' +
        'option "extra": Unrecognized key: "extra"',
    );
  });

  it("rejects text that is not a string", async () => {
    const error = await errorOf(() => parseWorkflow(Buffer.from(valid) as unknown as string));
    expect(error.message).toBe("[flowmesh] parseWorkflow: expected the text as a string, received object");
  });

  it("needs a file's format from its extension or the format option", async () => {
    const file = join(dir, "workflow.txt");
    await writeFile(file, valid);
    expect((await errorOf(() => parseWorkflowFile(file))).message).toBe(
      `[flowmesh] parseWorkflowFile: cannot tell the format of ${JSON.stringify(file)} from its extension: name it .yaml, .yml or .json, or pass { format }`,
    );
    expect((await parseWorkflowFile(file, { format: "yaml" })).name).toBe("w");
  });

  it("says when a file is missing or is not a file", async () => {
    const missing = join(dir, "missing.yaml");
    const error = await errorOf(() => parseWorkflowFile(missing));
    expect(error.code).toBe("FM_ERR_INVALID_OPTIONS");
    expect(error.message).toBe(
      `[flowmesh] parseWorkflowFile: cannot read ${JSON.stringify(missing)}: no such file`,
    );
    expect(error.details).toEqual({ file: missing });
    const folder = join(dir, "folder.yaml");
    await import("node:fs/promises").then((fs) => fs.mkdir(folder));
    expect((await errorOf(() => parseWorkflowFile(folder))).message).toBe(
      `[flowmesh] parseWorkflowFile: cannot read ${JSON.stringify(folder)}: not a regular file`,
    );
  });
});
