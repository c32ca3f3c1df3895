import { describe, expect, it } from "vitest";
import {
  handlers,
  normalizeWorkflow,
  parseWorkflow,
  Task,
  task,
  toJSON,
  toYAML,
  Workflow,
  workflow,
  workflowBuilder,
  type TaskContext,
  type WorkflowDefinitionInput,
} from "../../src/index.js";
import { useEngines } from "../support/engine.js";

const engine = useEngines();

// The brief's ETL in each code style; exported, they must all be the same file.
async function extract() {
  return [1, 2, 3];
}
async function transform(ctx: TaskContext<unknown, { extract: number[] }>) {
  return ctx.deps.extract.map((n) => n * 2);
}
async function load(ctx: TaskContext<unknown, { transform: number[] }>) {
  return { rows: ctx.deps.transform.length };
}

const styles: [string, () => WorkflowDefinitionInput][] = [
  [
    "functions",
    () => {
      const e = task({ timeout: 30, retryCount: 3 }, extract);
      const t = task({ priority: 5 }, transform);
      const l = task({ timeout: "2m" }, load);
      // A plain list with no dependsOn runs in list order.
      return workflow({ name: "ETL" }, () => [e, t, l]);
    },
  ],
  [
    "classes",
    () =>
      new Workflow({
        name: "ETL",
        tasks: [
          new Task({ name: "extract", func: extract, timeout: 30, retryCount: 3 }),
          new Task({ name: "transform", func: transform, dependsOn: ["extract"], priority: 5 }),
          new Task({ name: "load", func: load, dependsOn: ["transform"], timeout: "2m" }),
        ],
      }),
  ],
  [
    "the builder",
    () =>
      workflowBuilder("ETL")
        .task("extract", { timeout: 30, retryCount: 3 }, extract)
        .task("transform", { dependsOn: ["extract"], priority: 5 }, transform)
        .task("load", { dependsOn: ["transform"], timeout: "2m" }, load)
        .build(),
  ],
];

const ETL_YAML = [
  "name: ETL",
  "tasks:",
  "  - name: extract",
  "    timeout: 30",
  "    retry_count: 3",
  "  - name: transform",
  "    depends_on: [extract]",
  "    priority: 5",
  "  - name: load",
  "    depends_on: [transform]",
  "    timeout: 120",
  "",
].join("\n");

describe("every authoring style exports to the same file", () => {
  it.each(styles)(
    "%s: toYAML writes the brief's style, and the file parses back to the same definition",
    (_style, make) => {
      const definition = make();
      expect(toYAML(definition)).toBe(ETL_YAML);
      const normalized = normalizeWorkflow(definition);
      const byName = { ...normalized, tasks: normalized.tasks.map((t) => ({ ...t, handler: t.name })) };
      expect(normalizeWorkflow(parseWorkflow(toYAML(definition)))).toEqual(byName);
      expect(normalizeWorkflow(parseWorkflow(toJSON(definition), { format: "json" }))).toEqual(byName);
    },
  );

  it("runs the exported file with the same functions, registered by name", async () => {
    const fm = engine({ plugins: [handlers({ extract, transform, load })] });
    await fm.register(parseWorkflow(ETL_YAML));
    expect(await (await fm.start("ETL")).result()).toEqual({
      extract: [1, 2, 3],
      transform: [2, 4, 6],
      load: { rows: 3 },
    });
  });
});
