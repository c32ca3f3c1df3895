import { describe, expect, it } from "vitest";
import * as cli from "../../src/index.js";

describe("@flowmesh/cli's public exports", () => {
  it("are exactly these (the surface changes only on purpose)", () => {
    expect(Object.keys(cli).sort()).toEqual([
      "EXIT",
      "JsonRenderer",
      "LineRenderer",
      "TtyRenderer",
      "applyEvent",
      "createProgram",
      "eventLine",
      "exitCodeOf",
      "followRun",
      "frameUpdate",
      "loadEngine",
      "main",
      "processContext",
      "renderFrame",
      "validateFile",
      "viewFromRecord",
    ]);
  });

  it("main() runs a command in process and returns its exit code", async () => {
    const out: string[] = [];
    const ctx = {
      ...cli.processContext(),
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => out.push(s) },
    };
    expect(await cli.main(["--version"], ctx)).toBe(0);
    expect(out.join("")).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(await cli.main(["validate", "does-not-exist.yaml"], ctx)).toBe(2);
    expect(out.join("")).toContain("does-not-exist.yaml");
  });
});
