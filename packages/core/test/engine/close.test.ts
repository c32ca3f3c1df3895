import { describe, expect, it } from "vitest";
import { createFlowMesh } from "../../src/index.js";
import type { FlowMeshError } from "../../src/index.js";
import {
  abortableSleep,
  deferred,
  errorOf,
  MapRunStore,
  silent,
  sleep,
  useEngines,
} from "../support/engine.js";

const engine = useEngines();

describe("close()", () => {
  it("drains: a running task finishes and its output is committed before close resolves", async () => {
    const store = new MapRunStore();
    const fm = engine({ backend: store });
    const running = deferred();
    let finished = false;
    const started: string[] = [];
    await fm.register({
      name: "drain",
      tasks: [
        {
          name: "slow",
          handler: async () => {
            started.push("slow");
            running.resolve();
            await sleep(60);
            finished = true;
            return "slow-output";
          },
        },
        { name: "next", dependsOn: ["slow"], handler: () => void started.push("next") },
      ],
    });
    const handle = await fm.start("drain");
    await running.promise;
    await fm.close();
    expect(finished).toBe(true);
    const saved = store.records.get(handle.id)!;
    expect(saved.tasks.slow).toMatchObject({ status: "succeeded", output: "slow-output" });
    // Closing stops claiming: the dependent was not started.
    await sleep(20);
    expect(started).toEqual(["slow"]);
    expect(saved.tasks.next!.attempts).toBe(0);
  });

  it("aborts attempts still running when drainTimeout expires", async () => {
    const fm = engine({ drainTimeout: "50ms" });
    const running = deferred();
    let reason: unknown;
    await fm.register({
      name: "stuck",
      tasks: [
        {
          name: "t",
          handler: async (ctx) => {
            running.resolve();
            try {
              await abortableSleep(5000, ctx.signal);
            } catch (error) {
              reason = error;
            }
          },
        },
      ],
    });
    await fm.start("stuck");
    await running.promise;
    const t0 = performance.now();
    await fm.close();
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(40);
    expect(elapsed).toBeLessThan(1000);
    await sleep(5);
    expect((reason as FlowMeshError).code).toBe("FM_ERR_CLOSED");
  });

  it("makes later start() and register() calls fail with FM_ERR_CLOSED", async () => {
    const fm = engine();
    await fm.register({ name: "wf", tasks: [{ name: "t", handler: () => 1 }] });
    await fm.close();
    const start = await errorOf(() => fm.start("wf"));
    expect(start.code).toBe("FM_ERR_CLOSED");
    const register = await errorOf(() =>
      fm.register({ name: "other", tasks: [{ name: "t", handler: () => 1 }] }),
    );
    expect(register.code).toBe("FM_ERR_CLOSED");
  });

  it("makes a later retry() fail with FM_ERR_CLOSED instead of re-opening a run nothing will run", async () => {
    const fm = engine();
    await fm.register({
      name: "wf",
      tasks: [
        {
          name: "t",
          handler: () => {
            throw new Error("x");
          },
        },
      ],
    });
    const handle = await fm.start("wf");
    await handle.wait();
    await fm.close();
    const error = await errorOf(() => fm.retry(handle.id));
    expect(error.code).toBe("FM_ERR_CLOSED");
  });

  it("can be called twice and on an engine that never started", async () => {
    const idle = createFlowMesh({ logger: silent() });
    await idle.close();
    await idle.close();
    const fm = engine();
    await fm.ready();
    await Promise.all([fm.close(), fm.close()]);
    expect((await errorOf(() => fm.start("x"))).code).toBe("FM_ERR_CLOSED");
  });
});
