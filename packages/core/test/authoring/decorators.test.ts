import { describe, expect, it } from "vitest";
import { task, workflow, workflowOf, type TaskContext } from "../../src/index.js";
import { errorOf, useEngines } from "../support/engine.js";

// These classes use TC39 standard decorators: the vitest config lowers them with TypeScript, as the
// build does, because Node 20 cannot run `@` syntax and Vite's transform only knows legacy decorators.

const newEngine = useEngines();

interface Dataset {
  rows: number[];
}
interface Model {
  weights: number;
  trainedOn: number;
}

@workflow({ name: "ml-training", version: 2, description: "train and deploy" })
class MLPipeline {
  readonly calls: string[] = [];

  constructor(private readonly factor = 2) {}

  @task({ timeout: 30, retryCount: 1 })
  async load_data(): Promise<Dataset> {
    this.calls.push("load_data");
    return { rows: [1, 2, 3, 4] };
  }

  @task({ dependsOn: ["load_data"], priority: 10, timeout: "1h" })
  async train_model(ctx: TaskContext<unknown, { load_data: Dataset }>): Promise<Model> {
    this.calls.push("train_model");
    return {
      weights: ctx.deps.load_data.rows.length * this.factor,
      trainedOn: ctx.deps.load_data.rows.length,
    };
  }

  @task({ name: "deploy", dependsOn: ["train_model"] })
  async deploy_model(ctx: TaskContext<{ env: string }, { train_model: Model }>) {
    this.calls.push("deploy");
    return `deployed model ${ctx.deps.train_model.weights} to ${ctx.input.env}`;
  }

  /** Not a task: no decorator. */
  helper() {
    return "not a task";
  }
}

describe("@task and @workflow", () => {
  it("turns decorated methods into tasks in declaration order, with their options", () => {
    const def = workflowOf(MLPipeline);
    expect(def).toMatchObject({ name: "ml-training", version: 2, description: "train and deploy" });
    expect(def.tasks.map(({ handler, ...rest }) => ({ ...rest, handler: typeof handler }))).toEqual([
      { name: "load_data", handler: "function", timeout: 30, retry: 1 },
      { name: "train_model", handler: "function", dependsOn: ["load_data"], priority: 10, timeout: "1h" },
      { name: "deploy", handler: "function", dependsOn: ["train_model"] },
    ]);
  });

  it("runs with data passing by name, the handlers bound to the instance", async () => {
    const pipeline = new MLPipeline(10);
    const fm = newEngine();
    await fm.register(workflowOf(pipeline));
    const result = await (await fm.start("ml-training", { env: "staging" })).result();
    expect(result).toEqual({
      load_data: { rows: [1, 2, 3, 4] },
      train_model: { weights: 40, trainedOn: 4 },
      deploy: "deployed model 40 to staging",
    });
    expect(pipeline.calls).toEqual(["load_data", "train_model", "deploy"]);
  });

  it("creates a new instance each time it is given the class", async () => {
    const a = workflowOf(MLPipeline);
    const fm = newEngine();
    await fm.register(a);
    const result = await (await fm.start("ml-training", { env: "prod" })).result();
    expect(result.deploy).toBe("deployed model 8 to prod");
  });

  it("chains undeclared methods in declaration order, and names the workflow after the class by default", async () => {
    @workflow()
    class Invoices {
      @task()
      async fetch() {
        return 1;
      }

      @task()
      async book(ctx: TaskContext<unknown, { fetch: number }>) {
        return ctx.deps.fetch + 1;
      }
    }
    const def = workflowOf(new Invoices());
    expect(def.name).toBe("Invoices");
    expect(def.tasks.map((t) => [t.name, t.dependsOn])).toEqual([
      ["fetch", undefined],
      ["book", ["fetch"]],
    ]);
    const fm = newEngine();
    await fm.register(def);
    expect(await (await fm.start("Invoices")).result()).toEqual({ fetch: 1, book: 2 });
  });

  it("keeps a base class's tasks first, and runs a subclass's override with the base options", async () => {
    @workflow({ name: "base" })
    class Base {
      @task({ timeout: 5 })
      async first() {
        return "base first";
      }

      @task({ dependsOn: ["first"] })
      async second(ctx: TaskContext<unknown, { first: string }>) {
        return `${ctx.deps.first} then second`;
      }
    }
    class Override extends Base {
      override async first() {
        return "override first";
      }
    }
    @workflow({ name: "extended" })
    class Extended extends Base {
      @task({ dependsOn: ["second"] })
      async third() {
        return "third";
      }
    }
    const overridden = workflowOf(new Override());
    expect(overridden.name).toBe("base");
    expect(overridden.tasks[0]).toMatchObject({ name: "first", timeout: 5 });
    const fm = newEngine();
    await fm.register(overridden);
    expect((await (await fm.start("base")).result()).second).toBe("override first then second");

    expect(workflowOf(Extended).tasks.map((t) => t.name)).toEqual(["first", "second", "third"]);
  });

  it("produces the same definition as the function style for the same workflow", () => {
    const fromClass = workflowOf(MLPipeline);
    const fromFunctions = workflow({ name: "ml-training", version: 2, description: "train and deploy" }, [
      task({ timeout: 30, retryCount: 1 }, async function load_data() {}),
      task({ dependsOn: ["load_data"], priority: 10, timeout: "1h" }, async function train_model() {}),
      task({ name: "deploy", dependsOn: ["train_model"] }, async function deploy_model() {}),
    ]);
    const strip = (def: typeof fromClass) => ({
      ...def,
      tasks: def.tasks.map(({ handler: _, ...rest }) => rest),
    });
    expect(strip(fromClass)).toEqual(strip(fromFunctions));
  });

  describe("errors", () => {
    it("refuses a bad option when the class is defined, naming the method and the option", async () => {
      const error = await errorOf(() => {
        class Bad {
          @task({ timeout: -5 })
          async extract() {}
        }
        return Bad;
      });
      expect(error.code).toBe("FM_ERR_INVALID_DEFINITION");
      expect(error.message).toBe(
        '[flowmesh] @task on method "extract": timeout: expected a non-negative number of seconds, received -5',
      );
    });

    it("refuses decorator options that are not an object", async () => {
      const error = await errorOf(() => task("extract" as never));
      expect(error.message).toBe('[flowmesh] @task(): expected an options object, received "extract"');
    });

    it("refuses an unknown option before the class is even decorated", async () => {
      const error = await errorOf(() => task({ retries: 3 } as never));
      expect(error.message).toContain('@task(): unknown option "retries"');
      const wf = await errorOf(() => workflow({ nam: "x" } as never));
      expect(wf.message).toContain('@workflow(): unknown option "nam"');
    });

    it("refuses an unknown dependency or a duplicate name when the class is defined, naming the class", async () => {
      const unknown = await errorOf(() => {
        @workflow({ name: "broken" })
        class Broken {
          @task()
          async a() {}

          @task({ dependsOn: ["missing"] })
          async b() {}
        }
        return Broken;
      });
      expect(unknown.message).toBe(
        '[flowmesh] @workflow on class Broken: workflow "broken": tasks[1].dependsOn[0]: unknown task "missing"',
      );
      const duplicate = await errorOf(() => {
        @workflow()
        class Twice {
          @task({ name: "same" })
          async a() {}

          @task({ name: "same" })
          async b() {}
        }
        return Twice;
      });
      expect(duplicate.message).toContain(
        '@workflow on class Twice: workflow "Twice": tasks[1].name: duplicate task "same"',
      );
    });

    it("refuses a class without @task methods, static and private methods, and a method decorated twice", async () => {
      const empty = await errorOf(() => {
        @workflow({ name: "empty" })
        class Empty {
          run() {}
        }
        return Empty;
      });
      expect(empty.message).toBe("[flowmesh] @workflow on class Empty: the class has no @task methods");

      const staticMethod = await errorOf(() => {
        class S {
          @task()
          static async run() {}
        }
        return S;
      });
      expect(staticMethod.message).toContain(
        '@task on static method "run": a static method cannot be a task',
      );

      const privateMethod = await errorOf(() => {
        class P {
          @task()
          // eslint-disable-next-line no-unused-private-class-members
          async #run() {}
        }
        return P;
      });
      expect(privateMethod.message).toContain(
        '@task on method "#run": a private (#) method cannot be a task',
      );

      const twice = await errorOf(() => {
        class T {
          @task()
          @task()
          async run() {}
        }
        return T;
      });
      expect(twice.message).toContain("the method has two @task decorators");
    });

    it("asks for a name for a symbol-named method", async () => {
      const key = Symbol("step");
      const error = await errorOf(() => {
        class Sym {
          @task()
          async [key]() {}
        }
        return Sym;
      });
      expect(error.message).toContain(
        "@task on method [Symbol(step)]: a method named by a symbol needs a task name",
      );
    });

    it("refuses workflowOf on an undecorated class, on a constructor with arguments, and on a non-object", async () => {
      class Plain {
        @task()
        async run() {}
      }
      const plain = await errorOf(() => workflowOf(Plain));
      expect(plain.message).toBe(
        "[flowmesh] workflowOf(Plain): class Plain has no @workflow decorator (nor has any class it extends)",
      );
      const instance = await errorOf(() => workflowOf(new Plain()));
      expect(instance.message).toContain("workflowOf(instance of Plain)");

      @workflow({ name: "needs-args" })
      class NeedsArgs {
        constructor(readonly url: string) {}

        @task()
        async run() {
          return this.url;
        }
      }
      const args = await errorOf(() => workflowOf(NeedsArgs));
      expect(args.message).toContain("the constructor of NeedsArgs takes arguments: pass an instance");
      expect(workflowOf(new NeedsArgs("x")).name).toBe("needs-args");

      const shadowed = new MLPipeline();
      Object.defineProperty(shadowed, "load_data", { value: 42 });
      expect((await errorOf(() => workflowOf(shadowed))).message).toContain(
        'workflowOf(instance of MLPipeline): task "load_data": the instance\'s "load_data" is not a method',
      );

      const notObject = await errorOf(() => workflowOf(42 as never));
      expect(notObject.message).toContain(
        "workflowOf(): expected a @workflow class or an instance of one, received 42",
      );
    });
  });
});
