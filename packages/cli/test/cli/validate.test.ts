import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, PIPELINE_YAML, removeProject, runCli, tempProject } from "../helpers.js";

describe("flowmesh validate", { timeout: 60_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    assertBuilt();
    dir = await tempProject({
      "good.yaml": PIPELINE_YAML,
      "good.json": JSON.stringify({ name: "j", tasks: [{ name: "a" }, { name: "b", dependsOn: ["a"] }] }),
      "bad.yaml": [
        "name: bad",
        "tasks:",
        "  - name: a",
        "    depends_on: [ghost]",
        "  - name: b",
        "    retry_count: many",
        "",
      ].join("\n"),
      "cycle.yaml": "name: c\ntasks:\n  - name: a\n    depends_on: [b]\n  - name: b\n    depends_on: [a]\n",
    });
  });
  afterAll(() => removeProject(dir));

  it("exits 0 for valid files and names each workflow", async () => {
    const result = await runCli(["validate", "good.yaml", "good.json"], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('good.yaml: workflow "pipeline", 3 tasks');
    expect(result.stdout).toContain('good.json: workflow "j", 2 tasks');
    expect(result.stderr).toBe("");
  });

  it("exits 2 listing each problem as file:line:col path: message", async () => {
    const result = await runCli(["validate", "good.yaml", "bad.yaml", "cycle.yaml", "missing.yaml"], {
      cwd: dir,
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toContain("good.yaml");
    expect(result.stderr).toMatch(/^bad\.yaml:6:\d+ tasks\[1\]\.retry_count: /m);
    expect(result.stderr).toMatch(/^cycle\.yaml:\d+:\d+ .*cycle/m);
    expect(result.stderr).toMatch(/^missing\.yaml: .*no such file/m);
    expect(result.stderr).toMatch(/problems? in 3 of 4 files/);
  });

  it("--json prints each file's result with its issues' places", async () => {
    const result = await runCli(["validate", "--json", "good.yaml", "cycle.yaml"], { cwd: dir });
    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout) as {
      valid: boolean;
      files: { file: string; valid: boolean; issues: { code: string; line: number; column: number }[] }[];
    };
    expect(report.valid).toBe(false);
    expect(report.files[0]).toMatchObject({ file: "good.yaml", valid: true, issues: [] });
    expect(report.files[1]!.valid).toBe(false);
    expect(report.files[1]!.issues[0]).toMatchObject({ code: "FM_ERR_CYCLE" });
    expect(report.files[1]!.issues[0]!.line).toBeGreaterThan(0);
  });

  it("exits 2 without files (commander's usage error)", async () => {
    const result = await runCli(["validate"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/missing required argument 'files'/);
  });
});
