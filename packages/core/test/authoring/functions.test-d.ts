import { describe, expectTypeOf, it } from "vitest";
import {
  Task,
  task,
  Workflow,
  workflow,
  workflowOf,
  type TaskContext,
  type TaskFunction,
  type TaskMethodDecorator,
  type TaskOutput,
  type WorkflowClassDecorator,
  type WorkflowDefinitionInput,
} from "../../src/index.js";

interface Model {
  weights: number[];
}

describe("task() and workflow() types", () => {
  it("keeps the wrapped function's output, input and deps types", () => {
    const train = task({ timeout: 30 }, async function train_model(ctx: TaskContext<{ epochs: number }>) {
      return { weights: [ctx.input.epochs] } satisfies Model;
    });
    expectTypeOf(train).toEqualTypeOf<TaskFunction<{ weights: number[] }, { epochs: number }>>();
    expectTypeOf(train.taskName).toEqualTypeOf<string>();
    expectTypeOf<TaskOutput<typeof train>>().toEqualTypeOf<{ weights: number[] }>();

    const deploy = task(async function deploy_model(
      ctx: TaskContext<unknown, { train_model: TaskOutput<typeof train> }>,
    ) {
      return ctx.deps.train_model.weights.length;
    });
    expectTypeOf<TaskOutput<typeof deploy>>().toEqualTypeOf<number>();
    // Calling a task function always returns a promise.
    expectTypeOf(deploy).returns.toEqualTypeOf<Promise<number>>();
  });

  it("returns a definition from workflow() and a class decorator from workflow(options)", () => {
    const a = task(async function a() {});
    expectTypeOf(workflow({ name: "w" }, () => [a])).toEqualTypeOf<WorkflowDefinitionInput>();
    expectTypeOf(workflow({ name: "w" })).toEqualTypeOf<WorkflowClassDecorator>();
    expectTypeOf(task({ timeout: 1 })).toEqualTypeOf<TaskMethodDecorator>();
    // A Workflow is a definition: register() takes it as is.
    expectTypeOf(
      new Workflow({ name: "w", tasks: [new Task({ name: "a", func: async () => 1 })] }),
    ).toExtend<WorkflowDefinitionInput>();
  });

  it("refuses bad options at compile time", () => {
    // @ts-expect-error timeout is a duration (number of seconds or a string)
    task({ timeout: true }, async function a() {});
    // @ts-expect-error dependsOn takes names or tasks
    task({ dependsOn: [42] }, async function a() {});
    // @ts-expect-error retries is not an option (retryCount is)
    task({ retries: 3 }, async function a() {});
    // @ts-expect-error a workflow needs a name
    workflow({}, () => []);
    // @ts-expect-error func is the handler: a function or a reference
    new Task({ name: "a", func: 42 });
  });
});

describe("decorator types", () => {
  it("accepts methods taking the task context, typed as the author likes", () => {
    @workflow({ name: "ml" })
    class Pipeline {
      @task({ priority: 10 })
      async load_data() {
        return [1, 2, 3];
      }

      @task({ dependsOn: ["load_data"] })
      async train_model(ctx: TaskContext<{ epochs: number }, { load_data: number[] }>): Promise<Model> {
        return { weights: ctx.deps.load_data.map((n) => n * ctx.input.epochs) };
      }
    }
    expectTypeOf(workflowOf(Pipeline)).toEqualTypeOf<WorkflowDefinitionInput>();
    expectTypeOf(workflowOf(new Pipeline())).toEqualTypeOf<WorkflowDefinitionInput>();
  });

  it("refuses @task on a method that takes other arguments, and on a field", () => {
    class Bad {
      // @ts-expect-error a task method receives the task context only
      @task()
      async run(url: string, retries: number) {
        return `${url}${retries}`;
      }

      // @ts-expect-error @task decorates methods, not fields
      @task()
      value = 1;
    }
    expectTypeOf(Bad).toBeConstructibleWith();
  });
});
