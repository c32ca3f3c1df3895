import { describe, expect, it } from "vitest";
import type { WorkflowDefinitionInput } from "../../src/index.js";
import { errorOf, useEngines } from "../support/engine.js";

const engine = useEngines();

describe("register() planning errors", () => {
  const calls: string[] = [];
  const h = (name: string) => () => void calls.push(name);

  it.each<[string, WorkflowDefinitionInput, string, string[]]>([
    [
      "a cycle, naming the tasks in it",
      {
        name: "cyclic",
        tasks: [
          { name: "a", handler: h("a") },
          { name: "b", dependsOn: ["a", "d"], handler: h("b") },
          { name: "c", dependsOn: ["b"], handler: h("c") },
          { name: "d", dependsOn: ["c"], handler: h("d") },
        ],
      },
      "FM_ERR_CYCLE",
      ["b -> c -> d -> b"],
    ],
    [
      "an unknown dependency, naming the path",
      {
        name: "unknown_dep",
        tasks: [
          { name: "a", handler: h("a") },
          { name: "b", dependsOn: ["a", "x"], handler: h("b") },
        ],
      },
      "FM_ERR_INVALID_DEFINITION",
      ['tasks[1].dependsOn[1]: unknown task "x"'],
    ],
    [
      "duplicate task names",
      {
        name: "dupes",
        tasks: [
          { name: "a", handler: h("a") },
          { name: "a", handler: h("a2") },
        ],
      },
      "FM_ERR_INVALID_DEFINITION",
      ["tasks[1].name", 'duplicate task "a"'],
    ],
    ["an empty workflow", { name: "empty", tasks: [] }, "FM_ERR_INVALID_DEFINITION", ["tasks"]],
    [
      "an invalid task option",
      { name: "bad_timeout", tasks: [{ name: "a", timeout: "soon", handler: h("a") }] },
      "FM_ERR_INVALID_DEFINITION",
      ["tasks[0].timeout"],
    ],
  ])("rejects %s before any task runs", async (_what, definition, code, fragments) => {
    const fm = engine();
    calls.length = 0;
    const error = await errorOf(() => fm.register(definition));
    expect(error.code).toBe(code);
    for (const fragment of fragments) expect(error.message).toContain(fragment);
    expect(fm.workflows()).toHaveLength(0);
    const start = await errorOf(() => fm.start(definition.name));
    expect(start.code).toBe("FM_ERR_UNKNOWN_WORKFLOW");
    expect((await fm.listRuns()).runs).toHaveLength(0);
    expect(calls).toEqual([]);
  });

  it("returns the registered plan and lists it", async () => {
    const fm = engine();
    const registered = await fm.register({
      name: "ok",
      version: 2,
      tasks: [{ name: "a", handler: () => 1 }],
    });
    expect(registered.plan.name).toBe("ok");
    expect(registered.plan.version).toBe("2");
    expect(fm.workflows().map((w) => w.plan.name)).toEqual(["ok"]);
  });
});
