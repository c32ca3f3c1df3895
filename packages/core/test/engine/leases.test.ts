import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { MemoryCoordinator, planWorkflow } from "../../src/index.js";
import type { Coordinator, FlowMeshError, RunRecord } from "../../src/index.js";
import { deferred, sleep, until, useEngines } from "../support/engine.js";

const engine = useEngines();

/**
 * A coordinator that forwards every call to `target`, except the ones in
 * `overrides`. It offers no `sync` ops, so an engine on it takes the async
 * path, and its `close()` leaves `target` open for the other engines sharing it.
 */
function delegating(target: MemoryCoordinator, overrides: Partial<Coordinator> = {}): Coordinator {
  return {
    kind: target.kind,
    createRun: (request) => target.createRun(request),
    claim: (request) => target.claim(request),
    heartbeat: (leases, leaseMs) => target.heartbeat(leases, leaseMs),
    complete: (lease, request) => target.complete(lease, request),
    fail: (lease, request) => target.fail(lease, request),
    finishRun: (runId, request) => target.finishRun(runId, request),
    retryRun: (runId, request) => target.retryRun(runId, request),
    recover: () => target.recover(),
    getRun: (runId) => target.getRun(runId),
    getResult: (runId) => target.getResult(runId),
    listRuns: (filter) => target.listRuns(filter),
    readEvents: (runId, options) => target.readEvents(runId, options),
    subscribe: (listener) => target.subscribe(listener),
    queueDepth: () => target.queueDepth(),
    close: async () => undefined,
    ...overrides,
  };
}

/** `promise`, or a rejection naming `what` if it takes longer than `ms`: a broken engine fails fast. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

describe("leases", () => {
  it("heartbeats keep the lease of a task that runs longer than the lease: one attempt, no lease loss", async () => {
    const fm = engine({ lease: "150ms", sweepInterval: "50ms" });
    const lost: unknown[] = [];
    fm.events.on("task:lease_lost", (event) => lost.push(event));
    let calls = 0;
    let aborted = false;
    await fm.register({
      name: "long",
      tasks: [
        {
          name: "t",
          handler: async (ctx) => {
            calls++;
            await sleep(500);
            aborted = ctx.signal.aborted;
            return "done";
          },
        },
      ],
    });
    const handle = await fm.start("long");
    const run = await within(handle.wait(), 1200, "the run to finish");
    expect(run.status).toBe("succeeded");
    expect(run.tasks.t).toMatchObject({ status: "succeeded", attempts: 1, output: "done" });
    expect(calls).toBe(1);
    expect(aborted).toBe(false);
    expect(lost).toEqual([]);
    const events = (await fm.readEvents(handle.id)).map((e) => e.type);
    expect(events).not.toContain("task:lease_lost");
  });

  it("recovers the task of a worker that stopped heart-beating: another engine runs it, the stale worker is aborted", async () => {
    const shared = new MemoryCoordinator();
    // A's link to the backend: while `partitioned`, its heartbeats never reach it.
    let partitioned = true;
    let heartbeatsAttempted = 0;
    const linkA = delegating(shared, {
      heartbeat: async (leases, leaseMs) => {
        heartbeatsAttempted++;
        if (partitioned) throw new Error("network partition");
        return shared.heartbeat(leases, leaseMs);
      },
    });
    // A never sweeps during the test: recovery is B's job. A claims nothing ahead, so it does not
    // also lease the recovered task (a buffered task whose lease A cannot renew never starts: see
    // pipeline tests), and the attempt count below stays exact.
    const a = engine({
      backend: linkA,
      lease: "200ms",
      sweepInterval: "1h",
      concurrency: 1,
      worker: { prefetch: 0 },
    });
    const b = engine({ backend: shared, lease: "200ms", sweepInterval: "50ms" });
    const aStarted = deferred();
    const aAborted = deferred();
    let aSignal: AbortSignal | undefined;
    const lostOnA: { task: string; attempt: number }[] = [];
    a.events.on("task:lease_lost", ({ task, attempt }) => lostOnA.push({ task, attempt }));
    const workerErrorsOnA: unknown[] = [];
    a.events.on("worker:error", ({ error }) => workerErrorsOnA.push(error));
    await a.register({
      name: "job",
      tasks: [
        {
          name: "t",
          handler: async (ctx) => {
            aSignal = ctx.signal;
            aStarted.resolve();
            // Hangs until aborted, then reports a (late) result anyway.
            await new Promise<void>((resolve) =>
              ctx.signal.addEventListener("abort", () => resolve(), { once: true }),
            );
            aAborted.resolve();
            return "from A";
          },
        },
      ],
    });
    const bAttempts: number[] = [];
    await b.register({
      name: "job",
      tasks: [
        {
          name: "t",
          handler: (ctx) => {
            bAttempts.push(ctx.attempt);
            return "from B";
          },
        },
      ],
    });

    const handle = await a.start("job");
    await aStarted.promise;
    // Only now does B start claiming: A holds attempt 1.
    await b.ready();
    const run = await within(b.waitForRun(handle.id), 1000, "B to recover and finish the run");
    expect(run.status).toBe("succeeded");
    expect(run.tasks.t).toMatchObject({ status: "succeeded", attempts: 2, output: "from B" });
    expect(bAttempts).toEqual([2]);
    expect(heartbeatsAttempted).toBeGreaterThan(0);
    expect(workerErrorsOnA.length).toBeGreaterThan(0);
    const events = (await b.readEvents(handle.id)).map((e) => e.type);
    expect(events).toContain("task:lease_lost");
    // A failing heartbeat call alone does not abort A's attempt.
    expect(aSignal!.aborted).toBe(false);

    // The partition heals: A's next heartbeat learns the lease is gone and aborts its attempt.
    partitioned = false;
    await within(aAborted.promise, 500, "A's attempt to be aborted");
    expect((aSignal!.reason as FlowMeshError).code).toBe("FM_ERR_LEASE_LOST");
    await until(() => lostOnA.length > 0, "A to report its lease lost");
    expect(lostOnA).toEqual([{ task: "t", attempt: 1 }]);
    // A's late "from A" result changed nothing.
    await sleep(20);
    const final = (await shared.getRun(handle.id))!;
    expect(final.status).toBe("succeeded");
    expect(final.tasks.t).toMatchObject({ status: "succeeded", attempts: 2, output: "from B" });
  });

  it("refuses the late completion of a worker whose lease expired and was taken over", async () => {
    const shared = new MemoryCoordinator();
    const completions: { ok: boolean }[] = [];
    const linkA = delegating(shared, {
      // A is stalled: its heartbeats never extend the lease.
      heartbeat: async () => [],
      complete: async (lease, request) => {
        const result = await shared.complete(lease, request);
        completions.push({ ok: result.ok });
        return result;
      },
    });
    // A claims nothing ahead: a stalled A would otherwise also lease the recovered task (see pipeline tests).
    const a = engine({
      backend: linkA,
      lease: "150ms",
      sweepInterval: "1h",
      concurrency: 1,
      worker: { prefetch: 0 },
    });
    const b = engine({ backend: shared, lease: "150ms", sweepInterval: "50ms" });
    const aStarted = deferred();
    const aMayFinish = deferred();
    const lostOnA: number[] = [];
    a.events.on("task:lease_lost", ({ attempt }) => lostOnA.push(attempt));
    await a.register({
      name: "job",
      tasks: [
        {
          name: "t",
          handler: async () => {
            aStarted.resolve();
            await aMayFinish.promise;
            return "from A";
          },
        },
      ],
    });
    await b.register({ name: "job", tasks: [{ name: "t", handler: () => "from B" }] });

    const handle = await a.start("job");
    await aStarted.promise;
    await b.ready();
    const run = await within(b.waitForRun(handle.id), 1000, "B to recover and finish the run");
    expect(run.tasks.t).toMatchObject({ status: "succeeded", attempts: 2, output: "from B" });

    aMayFinish.resolve();
    await until(() => lostOnA.length > 0, "A to report its lease lost");
    // A did report, and the backend fenced it off.
    expect(completions).toEqual([{ ok: false }]);
    expect(lostOnA).toEqual([1]);
    const final = (await shared.getRun(handle.id))!;
    expect(final.status).toBe("succeeded");
    expect(final.tasks.t).toMatchObject({ status: "succeeded", attempts: 2, output: "from B" });
  });

  it("times out a run whose deadline passed via the sweep, even when another engine created it", async () => {
    const shared = new MemoryCoordinator();
    const fm = engine({ backend: shared, lease: "1s", sweepInterval: "50ms" });
    const failures: RunRecord[] = [];
    fm.hooks.onWorkflowFailure.tapPromise("probe", async (run) => void failures.push(run));
    const finished: string[] = [];
    fm.events.on("run:finished", ({ run }) => finished.push(run.status));
    let reason: unknown;
    const definition = {
      name: "slow",
      tasks: [
        {
          name: "t",
          handler: async (ctx: { signal: AbortSignal }) => {
            await new Promise<void>((resolve) =>
              ctx.signal.addEventListener("abort", () => resolve(), { once: true }),
            );
            reason = ctx.signal.reason;
          },
        },
      ],
    };
    await fm.register(definition);
    await fm.ready();
    // Created straight in the backend, as an API-only process elsewhere would: no engine here armed a timer for it.
    const plan = planWorkflow(definition);
    const { run: created } = await shared.createRun({
      id: randomUUID(),
      workflow: plan.name,
      namespace: plan.namespace,
      version: plan.version,
      input: undefined,
      graph: plan.graph,
      timeoutMs: 100,
    });
    const run = await within(fm.waitForRun(created.id), 1000, "the sweep to time the run out");
    expect(run.status).toBe("timed_out");
    expect(run.error).toMatchObject({ code: "FM_ERR_WORKFLOW_TIMEOUT" });
    expect(run.tasks.t!.status).toBe("cancelled");
    await until(() => failures.length > 0 && reason !== undefined, "hooks and abort after the sweep");
    expect(failures.map((r) => [r.id, r.status])).toEqual([[created.id, "timed_out"]]);
    expect(finished).toEqual(["timed_out"]);
    expect((reason as FlowMeshError).code).toBe("FM_ERR_CANCELLED");
  });
});

describe("worker health", () => {
  it("reports unhealthy and emits worker:error when a claim fails, then retries and recovers on its own", async () => {
    const shared = new MemoryCoordinator();
    let failNextClaim = false;
    let claims = 0;
    const flaky = delegating(shared, {
      claim: async (request) => {
        claims++;
        if (failNextClaim) {
          failNextClaim = false;
          throw new Error("backend unavailable");
        }
        return shared.claim(request);
      },
    });
    const fm = engine({ backend: flaky });
    const errors: unknown[] = [];
    fm.events.on("worker:error", ({ error }) => errors.push(error));
    await fm.register({ name: "wf", tasks: [{ name: "t", handler: () => "ok" }] });
    await fm.ready();
    expect((await fm.health()).healthy).toBe(true);

    // The claim woken by the new run's work signal fails; nothing else will signal this run.
    failNextClaim = true;
    const startedAt = performance.now();
    const handle = await fm.start("wf");
    await until(() => errors.length > 0, "worker:error");
    expect((errors[0] as Error).message).toBe("backend unavailable");
    const sick = await fm.health();
    expect(sick).toMatchObject({ backend: "memory", healthy: false, running: 0, queueDepth: 1 });

    const run = await within(handle.wait(), 1500, "the worker to retry the claim");
    const recoveredAfter = performance.now() - startedAt;
    expect(run.status).toBe("succeeded");
    expect(run.tasks.t).toMatchObject({ status: "succeeded", attempts: 1, output: "ok" });
    // Picked up by the worker's own retry about a second later.
    expect(recoveredAfter).toBeGreaterThanOrEqual(900);
    expect(recoveredAfter).toBeLessThan(1500);
    expect(claims).toBeGreaterThanOrEqual(3);
    expect(errors).toHaveLength(1);
    expect(await fm.health()).toMatchObject({ healthy: true, queueDepth: 0 });
  });

  it("reports healthy again after a failing synchronous claim (in-process backend) recovers", async () => {
    let failNextClaim = false;
    class FlakySyncCoordinator extends MemoryCoordinator {
      override get sync() {
        const ops = super.sync;
        if (ops === undefined) return undefined;
        const flaky: typeof ops = {
          claimSync: (request) => {
            if (failNextClaim) {
              failNextClaim = false;
              throw new Error("backend unavailable");
            }
            return ops.claimSync(request);
          },
          completeSync: (lease, request) => ops.completeSync(lease, request),
        };
        return flaky;
      }
    }
    const fm = engine({ backend: new FlakySyncCoordinator() });
    const errors: unknown[] = [];
    fm.events.on("worker:error", ({ error }) => errors.push(error));
    await fm.register({ name: "wf", tasks: [{ name: "t", handler: () => "ok" }] });
    await fm.ready();
    failNextClaim = true;
    const handle = await fm.start("wf");
    await until(() => errors.length > 0, "worker:error");
    expect((await fm.health()).healthy).toBe(false);
    const run = await within(handle.wait(), 1500, "the worker to retry the claim");
    expect(run.status).toBe("succeeded");
    expect((await fm.health()).healthy).toBe(true);
  });
});

describe("close() and stubborn tasks", () => {
  it("resolves after drainTimeout even if a task ignores its abort signal, aborting it with FM_ERR_CLOSED", async () => {
    const shared = new MemoryCoordinator();
    const fm = engine({ backend: delegating(shared), drainTimeout: "50ms" });
    const running = deferred();
    const mayReturn = deferred();
    let signal: AbortSignal | undefined;
    let returned = false;
    const lost: number[] = [];
    fm.events.on("task:lease_lost", ({ attempt }) => lost.push(attempt));
    await fm.register({
      name: "stubborn",
      tasks: [
        {
          name: "t",
          handler: async (ctx) => {
            signal = ctx.signal;
            running.resolve();
            // Ignores the signal entirely.
            await mayReturn.promise;
            returned = true;
            return "too late";
          },
        },
      ],
    });
    const handle = await fm.start("stubborn");
    await running.promise;
    const t0 = performance.now();
    await fm.close();
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(40);
    expect(elapsed).toBeLessThan(500);
    expect(returned).toBe(false);
    expect(signal!.aborted).toBe(true);
    expect((signal!.reason as FlowMeshError).code).toBe("FM_ERR_CLOSED");

    // The handler returns after close: its output is discarded, not committed.
    mayReturn.resolve();
    await until(() => lost.length > 0, "the late result to be discarded");
    expect(lost).toEqual([1]);
    const run = (await shared.getRun(handle.id))!;
    expect(run.tasks.t!.status).toBe("running");
    expect(run.tasks.t!.output).toBeUndefined();
  });
});
