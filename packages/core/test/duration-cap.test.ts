/**
 * Durations longer than a timer can wait (2^31 - 1 ms, about 24.8 days) are
 * rejected where they are given: Node would fire such a timer at once, so a
 * "25d" task timeout would time every attempt out immediately.
 */
import { describe, expect, it } from "vitest";
import { createFlowMesh, FlowMeshError } from "../src/index.js";
import type { FlowMeshOptions, WorkflowDefinitionInput } from "../src/index.js";
import { parseDuration, tryParseDuration } from "../src/duration.js";
import { errorOf, useEngines } from "./support/engine.js";

const engine = useEngines();
const MAX = 2 ** 31 - 1;

describe("the duration cap", () => {
  it("accepts up to 2^31 - 1 ms and rejects anything longer, in every notation", () => {
    expect(tryParseDuration(`${MAX}ms`)).toEqual({ ms: MAX });
    expect(tryParseDuration("24d")).toEqual({ ms: 24 * 86_400_000 });
    for (const value of [`${MAX + 1}ms`, "25d", "597h", 2_200_000, "2200000"]) {
      const parsed = tryParseDuration(value);
      expect(parsed, String(value)).toHaveProperty("error");
      expect((parsed as { error: string }).error).toContain(`must be at most 24.8 days (${MAX} ms)`);
    }
    expect(() => parseDuration("25d", "lease")).toThrow("lease: must be at most 24.8 days");
  });
});

describe("definitions with a duration above the cap", () => {
  const task = { name: "t", handler: () => 1 };
  it.each<[string, Partial<WorkflowDefinitionInput>]>([
    ["tasks[0].timeout", { tasks: [{ ...task, timeout: "25d" }] }],
    ["timeout", { timeout: "30d", tasks: [task] }],
    ["defaults.timeout", { defaults: { timeout: "25d" }, tasks: [task] }],
    ["tasks[0].retry.baseDelay", { tasks: [{ ...task, retry: { maxRetries: 1, baseDelay: "25d" } }] }],
    ["tasks[0].retry.maxDelay", { tasks: [{ ...task, retry: { maxRetries: 1, maxDelay: "25d" } }] }],
  ])("register() rejects %s with FM_ERR_INVALID_DEFINITION naming the path", async (path, fields) => {
    const fm = engine();
    const error = await errorOf(() => fm.register({ name: "long", tasks: [], ...fields }));
    expect(error.code).toBe("FM_ERR_INVALID_DEFINITION");
    expect(error.message).toContain(`${path}: must be at most 24.8 days`);
    expect(error.details).toMatchObject({
      workflow: "long",
      issues: [{ path, message: expect.stringContaining("at most 24.8 days") as unknown }],
    });
    expect(fm.workflows()).toEqual([]);
  });

  it("still accepts a task timeout just under the cap", async () => {
    const fm = engine();
    const registered = await fm.register({ name: "long", tasks: [{ ...task, timeout: "24d" }] });
    expect(registered.plan.tasks[0]!.timeoutMs).toBe(24 * 86_400_000);
    expect(await (await fm.start("long")).result()).toEqual({ t: 1 });
  });
});

describe("engine options with a duration above the cap", () => {
  it.each<[string, FlowMeshOptions]>([
    ["lease", { lease: "30d" }],
    ["sweepInterval", { sweepInterval: "25d" }],
    ["drainTimeout", { drainTimeout: 2_200_000 }],
  ])("createFlowMesh rejects %s with FM_ERR_INVALID_OPTIONS naming the option", (name, options) => {
    let error: unknown;
    try {
      createFlowMesh(options);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(FlowMeshError);
    expect((error as FlowMeshError).code).toBe("FM_ERR_INVALID_OPTIONS");
    expect((error as FlowMeshError).message).toContain(`option "${name}": must be at most 24.8 days`);
  });
});
