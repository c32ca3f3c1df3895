import { describe, expect, it } from "vitest";
import {
  normalizeWorkflow,
  Task,
  task,
  Workflow,
  workflow,
  workflowBuilder,
  workflowOf,
  type TaskContext,
  type WorkflowDefinition,
  type WorkflowDefinitionInput,
} from "../../src/index.js";
import { useEngines } from "../support/engine.js";

const newEngine = useEngines();

// One workflow, written in every code style: extract -> (transform, audit) -> load.
const OPTIONS = { name: "etl", version: "2", description: "nightly", timeout: "10m" } as const;

async function extract() {
  return [1, 2, 3];
}
async function transform(ctx: TaskContext<unknown, { extract: number[] }>) {
  return ctx.deps.extract.map((n) => n * 2);
}
async function audit(ctx: TaskContext<unknown, { extract: number[] }>) {
  return ctx.deps.extract.length;
}
async function load(ctx: TaskContext<unknown, { transform: number[]; audit: number }>) {
  return { rows: ctx.deps.transform.length, audited: ctx.deps.audit };
}

function functions(): WorkflowDefinitionInput {
  const e = task({ timeout: 30, retryCount: 3 }, extract);
  const t = task({ dependsOn: [e], priority: 5 }, transform);
  const a = task({ dependsOn: [e], policies: ["audit-log"], description: "counts rows" }, audit);
  const l = task({ dependsOn: [t, a], timeout: "2m", retry: { maxRetries: 1, baseDelay: 0.5 } }, load);
  return workflow(OPTIONS, () => [e, t, a, l]);
}

function classes(): WorkflowDefinitionInput {
  return new Workflow({
    ...OPTIONS,
    tasks: [
      new Task({ func: extract, timeout: 30, retryCount: 3 }),
      new Task({ func: transform, dependsOn: ["extract"], priority: 5 }),
      new Task({ func: audit, dependsOn: ["extract"], policies: ["audit-log"], description: "counts rows" }),
      new Task({
        func: load,
        dependsOn: ["transform", "audit"],
        timeout: "2m",
        retry: { maxRetries: 1, baseDelay: 0.5 },
      }),
    ],
  });
}

function builder(): WorkflowDefinitionInput {
  const { name, ...options } = OPTIONS;
  return workflowBuilder(name, options)
    .task("extract", { timeout: 30, retryCount: 3 }, extract)
    .task("transform", { dependsOn: ["extract"], priority: 5 }, transform)
    .task("audit", { dependsOn: ["extract"], policies: ["audit-log"], description: "counts rows" }, audit)
    .task(
      "load",
      { dependsOn: ["transform", "audit"], timeout: "2m", retry: { maxRetries: 1, baseDelay: 0.5 } },
      load,
    )
    .build();
}

@workflow(OPTIONS)
class EtlClass {
  @task({ timeout: 30, retryCount: 3 })
  extract() {
    return extract();
  }

  @task({ dependsOn: ["extract"], priority: 5 })
  transform(ctx: TaskContext<unknown, { extract: number[] }>) {
    return transform(ctx);
  }

  @task({ dependsOn: ["extract"], policies: ["audit-log"], description: "counts rows" })
  audit(ctx: TaskContext<unknown, { extract: number[] }>) {
    return audit(ctx);
  }

  @task({ dependsOn: ["transform", "audit"], timeout: "2m", retry: { maxRetries: 1, baseDelay: 0.5 } })
  load(ctx: TaskContext<unknown, { transform: number[]; audit: number }>) {
    return load(ctx);
  }
}

/** Handlers differ by style (a decorated method is bound to its instance); everything else must not. */
function withoutHandlers(def: WorkflowDefinition) {
  return { ...def, tasks: def.tasks.map(({ handler, ...rest }) => ({ ...rest, handler: typeof handler })) };
}

const STYLES: [string, () => WorkflowDefinitionInput][] = [
  ["task() / workflow()", functions],
  ["new Workflow / new Task", classes],
  ["workflowBuilder", builder],
  ["@task / @workflow", () => workflowOf(EtlClass)],
];

describe("every code style produces the same definition", () => {
  const expected = withoutHandlers(normalizeWorkflow(functions()));

  it("normalizes the reference definition as written", () => {
    expect(
      expected.tasks.map((t) => [t.name, t.dependsOn, t.timeoutMs, t.retry.maxRetries, t.priority]),
    ).toEqual([
      ["extract", [], 30_000, 3, 0],
      ["transform", ["extract"], undefined, 0, 5],
      ["audit", ["extract"], undefined, 0, 0],
      ["load", ["transform", "audit"], 120_000, 1, 0],
    ]);
    expect(expected).toMatchObject({ name: "etl", version: "2", description: "nightly", timeoutMs: 600_000 });
  });

  it.each(STYLES)("%s: equal normalized definitions, and the same run result", async (_style, make) => {
    const def = make();
    expect(withoutHandlers(normalizeWorkflow(def))).toEqual(expected);
    // The unnormalized inputs agree too, field by field.
    expect({ ...def, tasks: def.tasks.map(({ handler: _, ...rest }) => rest) }).toEqual({
      ...functions(),
      tasks: functions().tasks.map(({ handler: _, ...rest }) => rest),
    });
    const fm = newEngine();
    await fm.register(def);
    expect(await (await fm.start("etl")).result()).toEqual({
      extract: [1, 2, 3],
      transform: [2, 4, 6],
      audit: 3,
      load: { rows: 3, audited: 3 },
    });
  });
});
