import { existsSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, removeProject, runCli, tempProject } from "../helpers.js";

describe("flowmesh init, then flowmesh run, in a fresh folder", { timeout: 60_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    assertBuilt();
    dir = await tempProject();
  });
  afterAll(() => removeProject(dir));

  it("scaffolds a config, a YAML workflow and a task module", async () => {
    const result = await runCli(["init"], { cwd: dir });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    for (const file of ["flowmesh.config.yaml", "workflows/hello.yaml", "tasks/hello.mjs"]) {
      expect(existsSync(join(dir, file)), file).toBe(true);
      expect(result.stdout).toContain(`created ${file}`);
    }
    expect(result.stdout).toContain("npx flowmesh run workflows/hello.yaml");
  });

  it("runs the scaffolded workflow at once and prints its outputs", async () => {
    const result = await runCli(["run", "workflows/hello.yaml"], { cwd: dir });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/✔ hello succeeded/);
    expect(result.stdout).toContain('"shout": "HELLO, WORLD!"');
  });

  it("passes --input as JSON text and as @file", async () => {
    const inline = await runCli(["run", "workflows/hello.yaml", "--input", '{"name":"Ada"}'], { cwd: dir });
    expect(inline.code).toBe(0);
    expect(inline.stdout).toContain('"shout": "HELLO, ADA!"');
    await writeFile(join(dir, "input.yaml"), "name: Grace\n");
    const fromFile = await runCli(["run", "workflows/hello.yaml", "--input", "@input.yaml"], { cwd: dir });
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toContain('"shout": "HELLO, GRACE!"');
  });

  it("refuses to overwrite the scaffold without --force, and writes nothing", async () => {
    await writeFile(join(dir, "tasks/hello.mjs"), "// mine\n");
    const refused = await runCli(["init"], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/already exist.*--force/);
    expect(readFileSync(join(dir, "tasks/hello.mjs"), "utf8")).toBe("// mine\n");
    const forced = await runCli(["init", "--force"], { cwd: dir });
    expect(forced.code).toBe(0);
    expect(readFileSync(join(dir, "tasks/hello.mjs"), "utf8")).toContain("export async function greet");
  });

  it("scaffolds into a new sub-folder and tells how to get there", async () => {
    const result = await runCli(["init", "my flows"], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('cd "my flows"');
    const run = await runCli(["run", "workflows/hello.yaml", "--json"], { cwd: join(dir, "my flows") });
    expect(run.code).toBe(0);
  });
});
