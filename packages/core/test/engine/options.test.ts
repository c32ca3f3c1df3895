import { describe, expect, it } from "vitest";
import { createFlowMesh, FlowMeshError } from "../../src/index.js";
import type { FlowMeshOptions } from "../../src/index.js";

function optionsError(options: unknown): FlowMeshError {
  try {
    createFlowMesh(options as FlowMeshOptions);
  } catch (error) {
    if (error instanceof FlowMeshError) return error;
    throw error;
  }
  throw new Error("expected createFlowMesh to throw");
}

describe("engine options", () => {
  it.each([
    ["concurrency", { concurrency: 0 }],
    ["concurrency", { concurrency: 1.5 }],
    ["concurrency", { concurrency: "10" }],
    ["lease", { lease: "soon" }],
    ["drainTimeout", { drainTimeout: -1 }],
    ["sweepInterval", { sweepInterval: 0 }],
    ["worker", { worker: "yes" }],
    ["logger", { logger: console.log }],
    ["backend", { backend: {} }],
    ["plugins[0]", { plugins: [{ setup() {} }] }],
  ])("rejects a bad %s with FM_ERR_INVALID_OPTIONS naming the option", (path, options) => {
    const error = optionsError(options);
    expect(error.code).toBe("FM_ERR_INVALID_OPTIONS");
    expect(error.message).toContain(`option "${path}"`);
  });

  it("names an unknown option, so typos do not pass silently", () => {
    const error = optionsError({ concurency: 4 });
    expect(error.code).toBe("FM_ERR_INVALID_OPTIONS");
    expect(error.message).toContain('"concurency"');
  });

  it("names every bad option in one error", () => {
    const error = optionsError({ concurrency: -3, lease: "later" });
    expect(error.message).toContain('option "concurrency"');
    expect(error.message).toContain('option "lease"');
  });

  it("accepts valid options", () => {
    expect(() =>
      createFlowMesh({ concurrency: 4, lease: "10s", sweepInterval: 0.5, drainTimeout: "1s", worker: false }),
    ).not.toThrow();
  });
});
