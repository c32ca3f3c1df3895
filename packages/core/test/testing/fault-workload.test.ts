import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { assertPackagesBuilt, executionsByTask } from "../../src/testing/index.js";

describe("fault workload helpers", () => {
  it("groups executions by run and task, in order", () => {
    const grouped = executionsByTask([
      { r: "r1", t: "a", a: 1, p: 10 },
      { r: "r1", t: "b", a: 1, p: 10 },
      { r: "r1", t: "a", a: 2, p: 11 },
    ]);
    expect([...grouped.keys()]).toEqual(["r1/a", "r1/b"]);
    expect(grouped.get("r1/a")?.map((e) => e.a)).toEqual([1, 2]);
  });

  it("names the missing build and the fix", () => {
    const dir = mkdtempSync(join(tmpdir(), "fm-built-"));
    mkdirSync(join(dir, "core", "dist"), { recursive: true });
    writeFileSync(join(dir, "core", "dist", "index.js"), "");
    expect(() => assertPackagesBuilt(dir, ["core"])).not.toThrow();
    expect(() => assertPackagesBuilt(dir, ["core", "plugin-x"])).toThrow(
      /plugin-x\/dist\/index\.js is missing; run "pnpm build" first/,
    );
  });
});
