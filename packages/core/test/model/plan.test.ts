import { describe, expect, it } from "vitest";
import { FlowMeshError } from "../../src/errors.js";
import { planWorkflow } from "../../src/model/plan.js";
import { normalizeWorkflow } from "../../src/model/schema.js";
import type { WorkflowDefinitionInput } from "../../src/types.js";

const customerPipeline: WorkflowDefinitionInput = {
  name: "Customer Data Pipeline",
  tasks: [
    { name: "extract_s3", timeout: 3600, retry: 3 },
    { name: "transform_spark", dependsOn: ["extract_s3"], timeout: 7200 },
    { name: "load_warehouse", dependsOn: ["transform_spark"], timeout: 1800 },
  ],
};

/** Tasks given as `name: [deps]`, in definition order. */
function workflow(tasks: Record<string, string[]>, name = "wf"): WorkflowDefinitionInput {
  return { name, tasks: Object.entries(tasks).map(([task, dependsOn]) => ({ name: task, dependsOn })) };
}

function planError(input: unknown): FlowMeshError {
  try {
    planWorkflow(input as WorkflowDefinitionInput);
  } catch (error) {
    if (error instanceof FlowMeshError) return error;
    throw error;
  }
  throw new Error("expected planWorkflow to throw");
}

const names = (plan: { tasks: readonly { name: string }[] }) => plan.tasks.map((t) => t.name);

describe("planWorkflow", () => {
  it("plans the brief's pipeline as a chain with normalized tasks", () => {
    const plan = planWorkflow({ ...customerPipeline, version: 3, timeout: "2h" });
    expect(plan.name).toBe("Customer Data Pipeline");
    expect(plan.version).toBe("3");
    expect(plan.timeoutMs).toBe(7_200_000);
    expect(names(plan)).toEqual(["extract_s3", "transform_spark", "load_warehouse"]);
    expect(plan.tasks.map((t) => [t.index, t.deps, t.dependents])).toEqual([
      [0, [], [1]],
      [1, [0], [2]],
      [2, [1], []],
    ]);
    expect(plan.byName.get("extract_s3")).toMatchObject({ timeoutMs: 3_600_000, retry: { maxRetries: 3 } });
    expect(plan.definition.tasks).toHaveLength(3);
  });

  it("plans raw snake_case input the same as camelCase", () => {
    const snake = planWorkflow({
      name: "wf",
      tasks: [{ name: "a" }, { name: "b", depends_on: ["a"] }],
    } as unknown as WorkflowDefinitionInput);
    expect(snake.byName.get("b")!.dependsOn).toEqual(["a"]);
    expect(snake.byName.get("b")!.deps).toEqual([0]);
  });

  it("plans an already normalized definition", () => {
    const def = normalizeWorkflow(customerPipeline);
    const plan = planWorkflow(def);
    expect(names(plan)).toEqual(["extract_s3", "transform_spark", "load_warehouse"]);
    expect(plan.definition).toEqual(def);
  });

  it("orders dependencies first, and among ready tasks keeps definition order", () => {
    const plan = planWorkflow(workflow({ c: ["b"], a: [], b: ["a"], d: [] }));
    // a and d are both ready at first; once a is done, b was defined before d, then c before d.
    expect(names(plan)).toEqual(["a", "b", "c", "d"]);
  });

  it("keeps the definition order of a definition that is already topological", () => {
    const plan = planWorkflow(
      workflow({ root: [], x: [], left: ["root"], right: ["root", "x"], join: ["left", "right"] }),
    );
    expect(names(plan)).toEqual(["root", "x", "left", "right", "join"]);
  });

  it("gives deps in dependsOn order and dependents ascending, as plan indices", () => {
    const plan = planWorkflow(
      workflow({ join: ["right", "left"], right: ["root"], left: ["root"], root: [] }),
    );
    expect(names(plan)).toEqual(["root", "right", "left", "join"]);
    expect(plan.byName.get("join")!.deps).toEqual([1, 2]);
    expect(plan.byName.get("root")!.dependents).toEqual([1, 2]);
    expect(plan.tasks.every((task, i) => task.index === i)).toBe(true);
  });

  it("builds a frozen backend graph in plan order", () => {
    const plan = planWorkflow({
      name: "wf",
      tasks: [
        { name: "b", dependsOn: ["a"], priority: 2 },
        { name: "a", priority: -1 },
      ],
    });
    expect(plan.graph).toEqual({
      tasks: [
        { name: "a", dependsOn: [], priority: -1 },
        { name: "b", dependsOn: ["a"], priority: 2 },
      ],
    });
    // Shared by every run of this version, so nobody may change it in place.
    expect(Object.isFrozen(plan.graph.tasks)).toBe(true);
  });

  describe("downstreamOf", () => {
    const plan = planWorkflow(
      workflow({ a: [], b: ["a"], side: [], c: ["b", "side"], d: ["a"], e: ["c", "d"], other: ["side"] }),
    );

    it("returns every transitive dependent in plan order, without the task itself", () => {
      expect(names(plan)).toEqual(["a", "b", "side", "c", "d", "e", "other"]);
      expect(plan.downstreamOf("a")).toEqual(["b", "c", "d", "e"]);
      expect(plan.downstreamOf("side")).toEqual(["c", "e", "other"]);
      expect(plan.downstreamOf("d")).toEqual(["e"]);
    });

    it("returns an empty list for a leaf", () => {
      expect(plan.downstreamOf("e")).toEqual([]);
    });

    it("returns the same answer each time, unaffected by callers changing a previous one", () => {
      const first = plan.downstreamOf("b");
      first.push("mutated");
      expect(plan.downstreamOf("b")).toEqual(["c", "e"]);
    });

    it("throws for a task that is not in the workflow", () => {
      expect(() => plan.downstreamOf("nope")).toThrow(/workflow "wf" has no task "nope"/);
    });
  });
});

describe("planWorkflow errors", () => {
  it("rejects duplicate task names, pointing at the first one", () => {
    const error = planError({
      name: "ETL",
      tasks: [{ name: "x" }, { name: "y" }, { name: "z" }, { name: "x" }],
    });
    expect(error.code).toBe("FM_ERR_INVALID_DEFINITION");
    expect(error.message).toBe(
      '[flowmesh] workflow "ETL": tasks[3].name: duplicate task "x" (first at tasks[0])',
    );
  });

  it("rejects an unknown dependency, with the key spelling the user wrote", () => {
    const snake = planError({
      name: "ETL",
      tasks: [{ name: "load" }, { name: "t", depends_on: ["load", "extract"] }],
    });
    expect(snake.code).toBe("FM_ERR_INVALID_DEFINITION");
    expect(snake.message).toBe('[flowmesh] workflow "ETL": tasks[1].depends_on[1]: unknown task "extract"');
    const camel = planError(workflow({ load: [], t: ["extract"] }, "ETL"));
    expect(camel.details?.issues).toEqual([
      { path: "tasks[1].dependsOn[0]", message: 'unknown task "extract"' },
    ]);
  });

  it("rejects a task that depends on itself", () => {
    const error = planError(workflow({ a: [], b: ["a", "b"] }));
    expect(error.details?.issues).toEqual([
      { path: "tasks[1].dependsOn[1]", message: 'task "b" depends on itself' },
    ]);
  });

  it("reports duplicate, unknown and self dependencies together", () => {
    const error = planError({
      name: "wf",
      tasks: [{ name: "a", dependsOn: ["ghost"] }, { name: "a" }, { name: "b", dependsOn: ["b"] }],
    });
    expect((error.details?.issues as { path: string }[]).map((i) => i.path)).toEqual([
      "tasks[1].name",
      "tasks[0].dependsOn[0]",
      "tasks[2].dependsOn[0]",
    ]);
  });

  it("passes schema errors through", () => {
    const error = planError({ name: "wf", tasks: [] });
    expect(error.message).toBe('[flowmesh] workflow "wf": tasks: a workflow needs at least one task');
  });

  it("rejects a cycle with FM_ERR_CYCLE, naming its tasks in run order from the first defined", () => {
    // a waits on c, b on a, c on b: the run order would be a -> b -> c -> a.
    const error = planError(
      workflow({ start: [], a: ["start", "c"], b: ["a"], c: ["b"], after: ["c"] }, "ETL"),
    );
    expect(error.code).toBe("FM_ERR_CYCLE");
    expect(error.message).toBe('[flowmesh] workflow "ETL": dependency cycle: a -> b -> c -> a');
    expect(error.details).toMatchObject({ workflow: "ETL", cycles: [["a", "b", "c", "a"]] });
  });

  it("reports every separate cycle once", () => {
    const error = planError(workflow({ p: ["q"], q: ["p"], fan: ["p", "x"], x: ["y"], y: ["x"] }));
    expect(error.details?.cycles).toEqual([
      ["p", "q", "p"],
      ["x", "y", "x"],
    ]);
    expect(error.message).toBe(
      '[flowmesh] workflow "wf": dependency cycle: p -> q -> p; dependency cycle: x -> y -> x',
    );
  });
});
