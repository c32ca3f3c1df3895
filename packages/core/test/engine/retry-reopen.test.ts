/**
 * Re-opening finished runs: `retry({ fromTask })` re-runs failed upstream
 * tasks too (a re-run task never waits on a dependency that cannot succeed),
 * and a run that lives only in a RunStore can still be retried.
 */
import { describe, expect, it } from "vitest";
import { MemoryCoordinator } from "../../src/index.js";
import type { FlowMesh, FlowMeshOptions, WorkflowDefinitionInput } from "../../src/index.js";
import { errorOf, MapRunStore, until, useEngines } from "../support/engine.js";
import { within } from "../support/within.js";

const engine = useEngines();

/** a → b; `a` fails while `state.failA` is true. */
function chain(state: { failA: boolean; calls: { a: number; b: number } }): WorkflowDefinitionInput {
  return {
    name: "chain",
    tasks: [
      {
        name: "a",
        retry: 0,
        handler: () => {
          state.calls.a++;
          if (state.failA) throw new Error("a is down");
          return `a${state.calls.a}`;
        },
      },
      {
        name: "b",
        dependsOn: ["a"],
        handler: (ctx) => {
          state.calls.b++;
          return `b(${String(ctx.deps.a)})`;
        },
      },
    ],
  };
}

async function failedChainRun(options: FlowMeshOptions = {}) {
  const state = { failA: true, calls: { a: 0, b: 0 } };
  const fm = engine(options);
  await fm.register(chain(state));
  const handle = await fm.start("chain");
  const failed = await within(handle.wait(), 1000, "the first run to fail");
  expect(failed.status).toBe("failed");
  expect(failed.tasks.a!.status).toBe("failed");
  expect(failed.tasks.b!.status).toBe("upstream_failed");
  return { fm, state, runId: handle.id };
}

describe("retry({ fromTask }) with a failed upstream task", () => {
  it("re-runs the failed upstream task too, and the run finishes", async () => {
    const { fm, state, runId } = await failedChainRun();
    state.failA = false;
    const retried = await fm.retry(runId, { fromTask: "b" });
    const outputs = await within(retried.result(), 1000, "the retried run to finish");
    expect(outputs).toEqual({ a: "a2", b: "b(a2)" });
    expect(state.calls).toEqual({ a: 2, b: 1 });
    const run = (await fm.getRun(runId))!;
    expect(run.status).toBe("succeeded");
    expect(run.tasks.a).toMatchObject({ status: "succeeded", attempts: 2 });
    expect(run.tasks.b).toMatchObject({ status: "succeeded", attempts: 1 });
  });

  it("the coordinator refuses to reset a task whose dependency failed and is not reset, naming both", async () => {
    const coordinator = new MemoryCoordinator();
    const { runId } = await failedChainRun({ backend: coordinator });
    const error = await errorOf(() => coordinator.retryRun(runId, { reset: ["b"] }));
    expect(error.code).toBe("FM_ERR_INVALID_STATE");
    expect(error.message).toContain('task "b"');
    expect(error.message).toContain('depends on "a"');
    expect(error.message).toContain(runId);
    expect(error.details).toEqual({ runId, task: "b", dependency: "a" });
    // Refused before anything changed: the run is still the failed one.
    const run = (await coordinator.getRun(runId))!;
    expect(run.status).toBe("failed");
    expect(run.tasks.a!.status).toBe("failed");
    expect(run.tasks.b!.status).toBe("upstream_failed");
  });
});

describe("retry() of a run that only the RunStore still holds", () => {
  /** One task that fails while `state.fail` is true. */
  function flaky(state: { fail: boolean; calls: number }): WorkflowDefinitionInput {
    return {
      name: "flaky",
      tasks: [
        {
          name: "t",
          retry: 0,
          handler: () => {
            state.calls++;
            if (state.fail) throw new Error("not yet");
            return `ok${state.calls}`;
          },
        },
      ],
    };
  }

  it("retries a failed run evicted from memory by 100 later finished runs", async () => {
    const store = new MapRunStore();
    const state = { fail: true, calls: 0 };
    const fm = engine({ backend: store });
    await fm.register(flaky(state));
    await fm.register({ name: "noop", tasks: [{ name: "n", handler: () => 1 }] });
    const failed = await fm.start("flaky");
    expect((await failed.wait()).status).toBe("failed");
    // The local coordinator keeps 100 finished runs in memory: push this one out.
    for (let i = 0; i < 101; i++) await (await fm.start("noop")).wait();
    expect(store.records.get(failed.id)!.status).toBe("failed");

    state.fail = false;
    const retried = await fm.retry(failed.id);
    expect(await within(retried.result(), 1000, "the retried run to finish")).toEqual({ t: "ok2" });
    expect(store.records.get(failed.id)).toMatchObject({
      status: "succeeded",
      tasks: { t: { status: "succeeded", attempts: 2, firstAttempt: 2 } },
    });
  });

  it("retries a failed run from a fresh engine on the same store", async () => {
    const store = new MapRunStore();
    const state = { fail: true, calls: 0 };
    const first = engine({ backend: store });
    await first.register(flaky(state));
    const handle = await first.start("flaky");
    expect((await handle.wait()).status).toBe("failed");
    await first.close();

    state.fail = false;
    const second = engine({ backend: store });
    await second.register(flaky(state));
    const retried = await second.retry(handle.id);
    expect(retried.id).toBe(handle.id);
    expect(await within(retried.result(), 1000, "the retried run to finish")).toEqual({ t: "ok2" });
    const run = (await second.getRun(handle.id))!;
    expect(run.status).toBe("succeeded");
    expect(store.records.get(handle.id)!.status).toBe("succeeded");
  });

  it("keeps counting retries from the manual retry after a restart (firstAttempt is saved and restored)", async () => {
    const store = new MapRunStore();
    // Attempts 1-3 fail (first run), 4 fails (after the manual retry), 5 fails (after the restart), 6 succeeds.
    let calls = 0;
    const definition: WorkflowDefinitionInput = {
      name: "stubborn",
      tasks: [
        {
          name: "t",
          retry: { maxRetries: 2, baseDelay: "150ms", jitter: false, exponentialBase: 1 },
          handler: (ctx) => {
            calls++;
            if (ctx.attempt < 6) throw new Error(`attempt ${ctx.attempt} failed`);
            return "finally";
          },
        },
      ],
    };
    const first = engine({ backend: store });
    await first.register(definition);
    const handle = await first.start("stubborn");
    expect((await within(handle.wait(), 1500, "the first round to fail")).tasks.t!.attempts).toBe(3);
    await first.retry(handle.id);
    // Attempt 4 (the manual retry's first) fails and waits 150 ms to retry: stop the process meanwhile.
    await until(() => store.records.get(handle.id)!.tasks.t!.status === "retrying", "attempt 4 to fail");
    await first.close();
    expect(store.records.get(handle.id)!.tasks.t).toMatchObject({
      status: "retrying",
      attempts: 4,
      firstAttempt: 4,
    });

    const second: FlowMesh = engine({ backend: store });
    await second.register(definition);
    await second.ready();
    // Attempt 5 is the retry round's second: retried again (maxRetries 2), so attempt 6 succeeds.
    const run = await within(second.handle(handle.id).wait(), 1500, "the resumed run to finish");
    expect(run.status).toBe("succeeded");
    expect(run.tasks.t).toMatchObject({ status: "succeeded", attempts: 6, output: "finally" });
    expect(calls).toBe(6);
  });
});
