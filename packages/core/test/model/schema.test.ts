import { describe, expect, it } from "vitest";
import { FlowMeshError } from "../../src/errors.js";
import { DEFAULT_RETRY_POLICY, normalizeWorkflow, workflowDefinitionSchema } from "../../src/model/schema.js";
import type { TaskHandler } from "../../src/types.js";

/** The brief's YAML example, as the YAML loader hands it over. */
const customerPipeline = {
  name: "Customer Data Pipeline",
  tasks: [
    { name: "extract_s3", timeout: 3600, retry_count: 3 },
    { name: "transform_spark", depends_on: ["extract_s3"], timeout: 7200 },
    { name: "load_warehouse", depends_on: ["transform_spark"], timeout: 1800 },
  ],
};

function definitionError(input: unknown): FlowMeshError {
  try {
    normalizeWorkflow(input);
  } catch (error) {
    if (error instanceof FlowMeshError) return error;
    throw error;
  }
  throw new Error("expected normalizeWorkflow to throw");
}

/** The `path: message` pairs of a definition error. */
function issuesOf(input: unknown): { path: string; message: string }[] {
  const error = definitionError(input);
  expect(error.code).toBe("FM_ERR_INVALID_DEFINITION");
  return error.details?.issues as { path: string; message: string }[];
}

const oneTask = (task: Record<string, unknown>) => ({ name: "wf", tasks: [{ name: "t", ...task }] });

describe("normalizeWorkflow", () => {
  it("normalizes the brief's YAML pipeline: seconds to ms, retry_count to maxRetries, depends_on to dependsOn", () => {
    const def = normalizeWorkflow(customerPipeline);
    expect(def.name).toBe("Customer Data Pipeline");
    expect(def.tasks.map((t) => [t.name, t.timeoutMs, t.retry.maxRetries, t.dependsOn])).toEqual([
      ["extract_s3", 3_600_000, 3, []],
      ["transform_spark", 7_200_000, 0, ["extract_s3"]],
      ["load_warehouse", 1_800_000, 0, ["transform_spark"]],
    ]);
  });

  it("fills defaults: version 1, handler = task name, priority 0, no policies, the built-in retry policy", () => {
    const def = normalizeWorkflow({ name: "wf", tasks: [{ name: "only" }] });
    expect(def).toEqual({
      name: "wf",
      version: "1",
      description: undefined,
      namespace: "default",
      timeoutMs: undefined,
      tasks: [
        {
          name: "only",
          handler: "only",
          dependsOn: [],
          timeoutMs: undefined,
          retry: { maxRetries: 0, baseDelayMs: 100, exponentialBase: 2, maxDelayMs: 60_000, jitter: true },
          priority: 0,
          policies: [],
          description: undefined,
        },
      ],
    });
    expect(def.tasks[0]!.retry).toEqual(DEFAULT_RETRY_POLICY);
  });

  it("accepts durations with units everywhere", () => {
    const def = normalizeWorkflow({
      name: "wf",
      timeout: "2h",
      tasks: [{ name: "t", timeout: "250ms", retry: { base_delay: "1.5s", max_delay: "5m" } }],
    });
    expect(def.timeoutMs).toBe(7_200_000);
    expect(def.tasks[0]!.timeoutMs).toBe(250);
    expect(def.tasks[0]!.retry).toMatchObject({ baseDelayMs: 1_500, maxDelayMs: 300_000 });
  });

  it("reads camelCase and snake_case retry keys alike", () => {
    const snake = normalizeWorkflow(
      oneTask({
        retry: { max_retries: 4, base_delay: 2, exponential_base: 3, max_delay: 30, jitter: false },
      }),
    );
    const camel = normalizeWorkflow(
      oneTask({ retry: { maxRetries: 4, baseDelay: 2, exponentialBase: 3, maxDelay: 30, jitter: false } }),
    );
    const expected = {
      maxRetries: 4,
      baseDelayMs: 2_000,
      exponentialBase: 3,
      maxDelayMs: 30_000,
      jitter: false,
    };
    expect(snake.tasks[0]!.retry).toEqual(expected);
    expect(camel.tasks[0]!.retry).toEqual(expected);
    expect(normalizeWorkflow(oneTask({ retryCount: 2 })).tasks[0]!.retry.maxRetries).toBe(2);
    expect(normalizeWorkflow(oneTask({ retry: 5 })).tasks[0]!.retry.maxRetries).toBe(5);
  });

  it("combines retry_count with a retry object that leaves maxRetries unset", () => {
    const def = normalizeWorkflow(oneTask({ retry_count: 2, retry: { base_delay: 1 } }));
    expect(def.tasks[0]!.retry).toMatchObject({ maxRetries: 2, baseDelayMs: 1_000 });
  });

  it("applies workflow defaults to tasks that do not set their own, field by field for retry", () => {
    const def = normalizeWorkflow({
      name: "wf",
      defaults: { timeout: "10s", retry: { maxRetries: 2, baseDelay: 1 }, priority: 5 },
      tasks: [{ name: "plain" }, { name: "custom", timeout: 1, retry: 7, priority: -3 }],
    });
    const [plain, custom] = def.tasks;
    expect(plain).toMatchObject({
      timeoutMs: 10_000,
      priority: 5,
      retry: { maxRetries: 2, baseDelayMs: 1_000 },
    });
    expect(custom).toMatchObject({
      timeoutMs: 1_000,
      priority: -3,
      retry: { maxRetries: 7, baseDelayMs: 1_000 },
    });
  });

  it("keeps function handlers and string references, and turns a numeric version into a string", () => {
    const run: TaskHandler = () => "done";
    const def = normalizeWorkflow({
      name: "wf",
      version: 2,
      description: "nightly",
      tasks: [
        { name: "a", handler: run, policies: ["breaker"], description: "first" },
        { name: "b.c-d", handler: "handlers#b" },
      ],
    });
    expect(def.version).toBe("2");
    expect(def.description).toBe("nightly");
    expect(def.tasks[0]).toMatchObject({ handler: run, policies: ["breaker"], description: "first" });
    expect(def.tasks[1]!.handler).toBe("handlers#b");
  });

  it("accepts its own output, so normalizing twice gives the same definition", () => {
    const once = normalizeWorkflow({
      ...customerPipeline,
      timeout: "1d",
      defaults: { retry: { baseDelay: "250ms", jitter: false } },
    });
    expect(normalizeWorkflow(once)).toEqual(once);
  });

  it("does not share arrays with the input", () => {
    const input = { name: "wf", tasks: [{ name: "a" }, { name: "b", dependsOn: ["a"], policies: ["p"] }] };
    const def = normalizeWorkflow(input);
    def.tasks[1]!.dependsOn.push("x");
    def.tasks[1]!.policies.push("y");
    expect(input.tasks[1]).toEqual({ name: "b", dependsOn: ["a"], policies: ["p"] });
  });
});

describe("normalizeWorkflow errors", () => {
  it("lists every issue in one message, prefixed with the workflow name", () => {
    const error = definitionError({
      name: "ETL",
      tasks: [{ name: "a" }, { name: "b", timeout: "soon" }, { name: "bad name" }],
    });
    expect(error.code).toBe("FM_ERR_INVALID_DEFINITION");
    expect(error.message).toBe(
      '[flowmesh] workflow "ETL": ' +
        'tasks[1].timeout: expected a duration such as 30, "250ms", "30s", "5m", "2h" or "1d", received "soon"; ' +
        'tasks[2].name: expected letters, digits, "_", "." or "-", not starting with "." or "-", received "bad name"',
    );
    expect(error.details).toEqual({
      workflow: "ETL",
      issues: [
        { path: "tasks[1].timeout", message: expect.stringContaining('received "soon"') as unknown },
        { path: "tasks[2].name", message: expect.stringContaining('received "bad name"') as unknown },
      ],
    });
  });

  it("rejects an empty task list", () => {
    expect(definitionError({ name: "wf", tasks: [] }).message).toBe(
      '[flowmesh] workflow "wf": tasks: a workflow needs at least one task',
    );
  });

  it("names unknown keys with their path, at any depth", () => {
    const issues = issuesOf({
      name: "wf",
      owner: "me",
      tasks: [{ name: "t", retries: 3, retry: { delay: 1 } }],
    });
    expect(issues.map((i) => i.path)).toEqual(["tasks[0].retry.delay", "tasks[0].retries", "owner"]);
    expect(issues[1]!.message).toMatch(
      /^unknown key \(expected one of: name, handler, dependsOn, depends_on/,
    );
  });

  it("rejects both spellings of one setting, at the path of the second", () => {
    const issues = issuesOf({
      name: "wf",
      tasks: [
        { name: "a" },
        { name: "b", dependsOn: ["a"], depends_on: ["a"] },
        { name: "c", retry: { maxRetries: 1, max_retries: 2 } },
      ],
    });
    expect(issues).toEqual([
      {
        path: "tasks[1].depends_on",
        message: '"dependsOn" and "depends_on" are the same setting; give only one',
      },
      {
        path: "tasks[2].retry.max_retries",
        message: '"maxRetries" and "max_retries" are the same setting; give only one',
      },
    ]);
  });

  it("rejects retry_count next to a retry that already sets the count", () => {
    expect(issuesOf(oneTask({ retry: 2, retry_count: 3 }))).toEqual([
      {
        path: "tasks[0].retry_count",
        message: '"retry" already sets the number of retries; give only one of "retry" and "retry_count"',
      },
    ]);
    expect(issuesOf(oneTask({ retry: { maxRetries: 1 }, retryCount: 3 })).map((i) => i.path)).toEqual([
      "tasks[0].retryCount",
    ]);
  });

  it("reports a conflict together with the task's other issues", () => {
    const issues = issuesOf(oneTask({ dependsOn: [], depends_on: [], timeout: "later" }));
    expect(issues.map((i) => i.path)).toEqual(["tasks[0].timeout", "tasks[0].depends_on"]);
  });

  it("rejects a timeout of zero and negative durations", () => {
    expect(issuesOf(oneTask({ timeout: 0 }))).toEqual([
      { path: "tasks[0].timeout", message: "expected a timeout greater than 0, received 0" },
    ]);
    expect(issuesOf({ name: "wf", timeout: "0s", tasks: [{ name: "t" }] }).map((i) => i.path)).toEqual([
      "timeout",
    ]);
    expect(issuesOf(oneTask({ retry: { max_delay: -1 } }))).toEqual([
      { path: "tasks[0].retry.max_delay", message: "expected a non-negative number of seconds, received -1" },
    ]);
  });

  it("uses the key spelling the user wrote in paths", () => {
    expect(issuesOf(oneTask({ depends_on: ["a", 3] })).map((i) => i.path)).toEqual([
      "tasks[0].depends_on[1]",
    ]);
    expect(issuesOf(oneTask({ dependsOn: ["a", "a"] }))).toEqual([
      { path: "tasks[0].dependsOn[1]", message: 'dependency "a" is listed twice' },
    ]);
  });

  it("explains bad field values, saying what was received", () => {
    const issues = issuesOf({
      name: "wf",
      tasks: [
        { name: "a", priority: 1.5 },
        { name: "b", retry: -1 },
        { name: "c", retry: "twice" },
        { name: "d", retry: { maxRetries: "x" } },
        { name: "e", handler: "" },
        { name: "f", handler: 42 },
        { name: "g", retry: { exponential_base: 0.5 } },
        "h",
      ],
    });
    expect(issues).toEqual([
      { path: "tasks[0].priority", message: "expected an integer, received 1.5" },
      { path: "tasks[1].retry", message: "expected a number >= 0, received -1" },
      {
        path: "tasks[2].retry",
        message: 'expected a number of retries or a retry policy object, received "twice"',
      },
      { path: "tasks[3].retry.maxRetries", message: 'expected a number, received "x"' },
      { path: "tasks[4].handler", message: "expected a non-empty string" },
      {
        path: "tasks[5].handler",
        message: "expected a function or a non-empty handler reference, received 42",
      },
      { path: "tasks[6].retry.exponential_base", message: "expected a number >= 1, received 0.5" },
      { path: "tasks[7]", message: 'expected an object, received "h"' },
    ]);
  });

  it("limits task names to 128 characters and a safe alphabet, workflow names to 200 non-empty", () => {
    expect(normalizeWorkflow(oneTask({ name: "x".repeat(128) })).tasks[0]!.name).toHaveLength(128);
    expect(issuesOf(oneTask({ name: "x".repeat(129) }))).toEqual([
      { path: "tasks[0].name", message: "expected at most 128 characters, received 129" },
    ]);
    expect(issuesOf(oneTask({ name: "-leading" })).map((i) => i.path)).toEqual(["tasks[0].name"]);
    expect(issuesOf({ name: "", tasks: [{ name: "t" }] })).toEqual([
      { path: "name", message: "expected a non-empty string" },
    ]);
    expect(issuesOf({ name: "n".repeat(201), tasks: [{ name: "t" }] })).toEqual([
      { path: "name", message: "expected at most 200 characters, received 201" },
    ]);
  });

  it("names the input when it is not a workflow at all", () => {
    expect(definitionError([1]).message).toBe(
      "[flowmesh] workflow definition: expected an object, received an array",
    );
    expect(issuesOf({ tasks: [{ name: "t" }] })).toEqual([
      { path: "name", message: "expected a string, received undefined" },
    ]);
  });
});

describe("workflowDefinitionSchema", () => {
  it("validates JSON input as users write it, for the HTTP API", () => {
    expect(workflowDefinitionSchema.safeParse(customerPipeline).success).toBe(true);
    expect(workflowDefinitionSchema.safeParse({ ...customerPipeline, owner: "me" }).success).toBe(false);
  });
});
