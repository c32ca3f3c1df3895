/**
 * Lost leases: a heartbeat that reports one attempt's lease lost aborts that
 * attempt only, and a task whose attempts keep losing their lease stops after
 * a bounded number of attempts instead of looping forever.
 */
import { describe, expect, it } from "vitest";
import { MemoryCoordinator } from "../../src/index.js";
import type { FlowMeshError } from "../../src/index.js";
import type { LeaseRef } from "../../src/plugin.js";
import { abortableSleep, deferred, until, useEngines } from "../support/engine.js";
import { within } from "../support/within.js";

const engine = useEngines();

/** The memory backend, recording every lease its heartbeats reported lost. */
class WatchedCoordinator extends MemoryCoordinator {
  readonly reportedLost: LeaseRef[] = [];

  override async heartbeat(leases: readonly LeaseRef[], leaseMs: number): Promise<LeaseRef[]> {
    const lost = await super.heartbeat(leases, leaseMs);
    this.reportedLost.push(...lost.map(({ runId, task, token }) => ({ runId, task, token })));
    return lost;
  }
}

/** The memory backend on a worker that keeps losing every lease: heartbeats never extend one. */
class LosingCoordinator extends MemoryCoordinator {
  heartbeats = 0;

  override async heartbeat(leases: readonly LeaseRef[]): Promise<LeaseRef[]> {
    this.heartbeats++;
    return [...leases];
  }
}

describe("heartbeat lease matching", () => {
  it("aborts only the attempt whose lease was lost, not another run's attempt with the same token", async () => {
    const coordinator = new WatchedCoordinator();
    // Heartbeats every 50 ms; the sweep would recover an aborted attempt well within the test.
    const fm = engine({ backend: coordinator, lease: "150ms", sweepInterval: "50ms" });
    const aRunning = deferred();
    const bRunning = deferred();
    const aMayReturn = deferred();
    const bMayReturn = deferred();
    const signals: Record<string, AbortSignal> = {};
    const calls: Record<string, number[]> = { a: [], b: [] };
    const lost: { runId: string; attempt: number }[] = [];
    fm.events.on("task:lease_lost", ({ runId, attempt }) => lost.push({ runId, attempt }));
    await fm.register({
      name: "job",
      tasks: [
        {
          name: "t",
          handler: async (ctx) => {
            const role = (ctx.input as { role: "a" | "b" }).role;
            calls[role]!.push(ctx.attempt);
            signals[role] = ctx.signal;
            if (role === "a") {
              aRunning.resolve();
              // Ignores its signal: the attempt stays active after the cancel.
              await aMayReturn.promise;
              return "late";
            }
            bRunning.resolve();
            await bMayReturn.promise;
            return "b done";
          },
        },
      ],
    });
    const a = await fm.start("job", { role: "a" });
    const b = await fm.start("job", { role: "b" });
    await within(Promise.all([aRunning.promise, bRunning.promise]), 1000, "both attempts to start");
    // Same task name, same attempt, so the same token ("1") in the in-process backend.
    const aRun = (await fm.getRun(a.id))!;
    const bRun = (await fm.getRun(b.id))!;
    expect(aRun.tasks.t!.attempts).toBe(1);
    expect(bRun.tasks.t!.attempts).toBe(1);

    await fm.cancel(a.id);
    expect((signals.a!.reason as FlowMeshError).code).toBe("FM_ERR_CANCELLED");
    // A heartbeat (A's attempt is still active) reports A's lease lost...
    await until(
      () => coordinator.reportedLost.some((l) => l.runId === a.id),
      "a heartbeat to report A's lease lost",
    );
    const heartbeatsSeen = coordinator.reportedLost.length;
    // ...and one more heartbeat round passes with B still running.
    await until(() => coordinator.reportedLost.length > heartbeatsSeen, "another heartbeat round");
    expect(coordinator.reportedLost.every((l) => l.runId === a.id)).toBe(true);
    expect(signals.b!.aborted).toBe(false);

    bMayReturn.resolve();
    const run = await within(b.wait(), 1000, "run B to finish");
    expect(run.status).toBe("succeeded");
    expect(run.tasks.t).toMatchObject({ status: "succeeded", attempts: 1, output: "b done" });
    expect(calls.b).toEqual([1]);
    expect(lost.filter((l) => l.runId === b.id)).toEqual([]);
    expect((await fm.getRun(a.id))!.status).toBe("cancelled");
    aMayReturn.resolve();
  });
});

describe("lost-attempt limit", () => {
  it("fails a task whose attempts keep losing their lease with FM_ERR_TASK_FAILED after maxRetries + 5 attempts", async () => {
    const coordinator = new LosingCoordinator();
    const fm = engine({ backend: coordinator, lease: "100ms", sweepInterval: "30ms" });
    const attempts: number[] = [];
    const failures: { attempt: number; final: boolean; code: unknown }[] = [];
    fm.events.on("task:failed", ({ attempt, final, error }) =>
      failures.push({ attempt, final, code: (error as FlowMeshError).code }),
    );
    await fm.register({
      name: "doomed",
      tasks: [
        {
          name: "t",
          retry: 0,
          handler: async (ctx) => {
            attempts.push(ctx.attempt);
            // Runs until its lease is reported lost, like a worker that stalls every time.
            await abortableSleep(5_000, ctx.signal);
            return "never";
          },
        },
      ],
    });
    const handle = await fm.start("doomed");
    const run = await within(handle.wait(), 1500, "the run to fail instead of re-running forever");
    expect(run.status).toBe("failed");
    // No retries allowed: the first attempt plus four lost ones ran the handler; the next one is refused.
    expect(attempts).toEqual([1, 2, 3, 4, 5]);
    expect(run.tasks.t!.status).toBe("failed");
    expect(run.tasks.t!.attempts).toBe(6);
    expect(run.tasks.t!.error).toMatchObject({ code: "FM_ERR_TASK_FAILED" });
    expect(run.tasks.t!.error!.message).toContain('task "t" reached attempt 6, past the 5 allowed');
    expect(run.error).toMatchObject({ code: "FM_ERR_TASK_FAILED", task: "t" });
    expect(failures).toEqual([{ attempt: 6, final: true, code: "FM_ERR_TASK_FAILED" }]);
    expect(coordinator.heartbeats).toBeGreaterThanOrEqual(3);
    const events = (await fm.readEvents(handle.id)).map((e) => e.type);
    expect(events.filter((type) => type === "task:lease_lost")).toHaveLength(5);
  });
});
