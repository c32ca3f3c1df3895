import { describe, expect, it } from "vitest";
import { FlowMeshError, normalizeWorkflow, task, type TaskContext } from "../../src/index.js";
import { errorOf } from "../support/engine.js";

const ctx = (deps: Record<string, unknown> = {}) => ({ deps, input: undefined }) as unknown as TaskContext;

describe("task()", () => {
  it("names the task after the function and keeps it callable", async () => {
    const extract = task(async function extract() {
      return [1, 2, 3];
    });
    expect(extract.taskName).toBe("extract");
    expect(extract.name).toBe("extract");
    expect(await extract(ctx())).toEqual([1, 2, 3]);
    expect(extract.definition).toEqual({ name: "extract", handler: expect.any(Function) as unknown });
  });

  it("takes the name of a function assigned to a variable, and of a bound function", () => {
    const transform = async () => 1;
    expect(task(transform).taskName).toBe("transform");
    function load(this: unknown) {
      return this;
    }
    expect(task(load.bind({})).taskName).toBe("load");
  });

  it("lets the name option override the function's name", () => {
    const fn = task({ name: "extract_s3" }, async function extract() {});
    expect(fn.taskName).toBe("extract_s3");
    expect(fn.definition.name).toBe("extract_s3");
  });

  it("turns every option into the task definition, retryCount as the retry count", () => {
    const extract = task(async function extract() {});
    const load = task(
      {
        timeout: 30,
        retryCount: 3,
        priority: 5,
        dependsOn: [extract, "transform"],
        policies: ["breaker"],
        description: "loads rows",
      },
      async function load() {},
    );
    expect(load.definition).toEqual({
      name: "load",
      handler: expect.any(Function) as unknown,
      timeout: 30,
      retry: 3,
      priority: 5,
      dependsOn: ["extract", "transform"],
      policies: ["breaker"],
      description: "loads rows",
    });
  });

  it("adds retryCount to a retry policy that sets everything but the count", () => {
    const fn = task(
      { retryCount: 2, retry: { baseDelay: "250ms", jitter: false } },
      async function flaky() {},
    );
    expect(fn.definition.retry).toEqual({ baseDelay: "250ms", jitter: false, maxRetries: 2 });
    const normalized = normalizeWorkflow({ name: "w", tasks: [fn.definition] }).tasks[0]!;
    expect(normalized.retry).toMatchObject({ maxRetries: 2, baseDelayMs: 250, jitter: false });
  });

  it("hands the wrapped function the context, and turns a synchronous throw into a rejection", async () => {
    const double = task(async function double(c: TaskContext<unknown, { extract: number[] }>) {
      return c.deps.extract.map((n) => n * 2);
    });
    expect(await double(ctx({ extract: [1, 2] }) as TaskContext<unknown, { extract: number[] }>)).toEqual([
      2, 4,
    ]);
    const boom = task(function boom(): number {
      throw new Error("boom");
    });
    await expect(boom(ctx())).rejects.toThrow("boom");
  });

  it("freezes the definition so one task can serve many workflows unchanged", () => {
    const fn = task({ dependsOn: ["a"] }, async function b() {});
    expect(Object.isFrozen(fn.definition)).toBe(true);
    expect(() => (fn.definition.dependsOn as string[]).push("c")).toThrow(TypeError);
  });

  describe("errors", () => {
    it("refuses an anonymous function, saying how to name the task", async () => {
      const error = await errorOf(() => task(async () => 1));
      expect(error.code).toBe("FM_ERR_INVALID_DEFINITION");
      expect(error.message).toContain("task(): the function is anonymous");
      expect(error.message).toContain('{ name: "..." }');
    });

    it("names the task and the option for a bad value", async () => {
      const error = await errorOf(() => task({ timeout: 0 }, async function extract() {}));
      expect(error).toBeInstanceOf(FlowMeshError);
      expect(error.code).toBe("FM_ERR_INVALID_DEFINITION");
      expect(error.message).toBe(
        '[flowmesh] task "extract": timeout: expected a timeout greater than 0, received 0',
      );
      expect(error.details).toMatchObject({ task: "extract", issues: [{ path: "timeout" }] });
    });

    it("reports every bad option at once", async () => {
      const error = await errorOf(() =>
        task({ timeout: "soon", retryCount: -1, priority: 1.5 }, async function extract() {}),
      );
      expect(error.message).toContain("timeout: expected a duration");
      expect(error.message).toContain("retryCount: expected a number >= 0, received -1");
      expect(error.message).toContain("priority: expected an integer");
    });

    it("refuses an unknown option, listing the known ones", async () => {
      const error = await errorOf(() =>
        task({ retries: 3 } as unknown as { retryCount: number }, async function extract() {}),
      );
      expect(error.message).toBe(
        '[flowmesh] task "extract": unknown option "retries" (expected one of: name, description, timeout, retry, retryCount, priority, dependsOn, policies)',
      );
    });

    it("refuses a retry count given twice", async () => {
      const error = await errorOf(() => task({ retry: 2, retryCount: 3 }, async function extract() {}));
      expect(error.message).toContain('retryCount: "retry" already sets the number of retries');
    });

    it("refuses a name the engine would refuse, and a dependency that is not a task", async () => {
      const named = await errorOf(() => task({ name: "extract data" }, async () => 1));
      expect(named.message).toContain('task "extract data": name: expected letters, digits');
      const plain = async function transform() {};
      const dep = await errorOf(() =>
        task({ dependsOn: ["a", plain as never, 3 as never] }, async function load() {}),
      );
      expect(dep.message).toContain(
        'dependsOn[1]: expected a task name or a task made with task() or new Task(), received function "transform" (wrap it with task())',
      );
      expect(dep.message).toContain(
        "dependsOn[2]: expected a task name or a task made with task() or new Task(), received 3",
      );
    });

    it("refuses something that is not a function to wrap", async () => {
      const error = await errorOf(() => task({ name: "x" }, "extract" as never));
      expect(error.message).toBe('[flowmesh] task "x": expected a function to wrap, received string');
    });
  });
});
