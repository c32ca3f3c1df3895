/**
 * The backend conformance suite: one function that every {@link Coordinator}
 * (memory, Redis, Postgres, yours) runs unchanged, so all drivers agree on
 * claiming, fencing, fan-in, retries, cancellation, deadlines and the event log.
 *
 * It runs against real servers, so it never fakes the clock (short real sleeps
 * plus `slackMs`), gives every run a fresh id and every test its own workflow
 * name, asserts queue depth only as deltas, and cancels its unfinished runs
 * after each test so their tasks never reach another test's claims. Claims are
 * global, though: give each factory call its own namespace (key prefix,
 * schema) if other suites share the server at the same time.
 */
import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type {
  ClaimedTask,
  Coordinator,
  CoordinatorSignal,
  CreateRunRequest,
  CreateRunResult,
  LeaseRef,
  OutcomeResult,
  RunGraph,
} from "../backend/types.js";
import type { SerializedError } from "../errors.js";
import type { RunEvent, RunRecord, TaskRecord } from "../types.js";
import {
  chain,
  claimAll,
  compareEventIds,
  diamond,
  graph,
  parallel,
  sleep,
  task,
  waitFor,
} from "./graphs.js";

/**
 * An outcome without what a backend may add to one that ends a run (`result`,
 * `runTimes`, checked on their own below): what every backend returns alike.
 */
function essential(outcome: OutcomeResult): OutcomeResult {
  if (!outcome.ok || (outcome.result === undefined && outcome.runTimes === undefined)) return outcome;
  return outcome.runStatus === undefined ? { ok: true } : { ok: true, runStatus: outcome.runStatus };
}

export interface ConformanceOptions {
  /** Extra ms tolerance for timing tests on slow backends. @default 0 */
  slackMs?: number;
  /**
   * The backend leases roots in `createRun` when asked (`claim`, an eager
   * start): runs the tests of that. A backend that ignores `claim` leaves it
   * off (its roots are queued as usual). @default false
   */
  eagerStart?: boolean;
}

/** Registers the conformance tests for a coordinator; call it at the top level of a vitest test file. */
export function describeCoordinatorConformance(
  name: string,
  factory: () => Coordinator | Promise<Coordinator>,
  options: ConformanceOptions = {},
): void {
  const slack = options.slackMs ?? 0;
  const timeout = 5_000 + 4 * slack;
  let current: Harness | undefined;
  const h = (): Harness => {
    if (current === undefined) throw new Error("conformance: the coordinator was not created");
    return current;
  };

  describe(`${name} coordinator conformance`, { timeout }, () => {
    beforeEach(async () => {
      const coordinator = await factory();
      try {
        await coordinator.start?.();
      } catch (error) {
        await coordinator.close().catch(() => undefined);
        throw error;
      }
      current = new Harness(coordinator);
    });
    afterEach(async () => {
      const harness = current;
      current = undefined;
      await harness?.dispose();
    });

    describe("createRun", () => {
      it("creates a pending run holding every task, roots ready and the rest pending, and logs run:created", async () => {
        const { c } = h();
        const g = graph(task("a", [], 3), task("b", ["a"]), task("c", ["a"]), task("d", ["b", "c"], 1));
        const id = randomUUID();
        const result = await h().createRun(g, { id, input: { order: 7 }, startedBy: "alice" });
        expect(result.created).toBe(true);
        expect(result.run).toMatchObject({
          id,
          workflow: h().workflow,
          version: "1",
          status: "pending",
          startedBy: "alice",
        });
        expect(result.run.input).toEqual({ order: 7 });
        expect(result.run.createdAt).toBeGreaterThan(0);
        for (const run of [await h().get(id)]) {
          expect(run).toMatchObject({ id, workflow: h().workflow, version: "1", status: "pending" });
          expect(run.input).toEqual({ order: 7 });
          expect(run.startedBy).toBe("alice");
          expect(run.taskOrder).toEqual(["a", "b", "c", "d"]);
          expect(Object.keys(run.tasks).sort()).toEqual(["a", "b", "c", "d"]);
          for (const t of g.tasks) {
            expect(taskOf(run, t.name)).toMatchObject({
              name: t.name,
              status: t.dependsOn.length === 0 ? "ready" : "pending",
              attempts: 0,
              dependsOn: t.dependsOn,
              priority: t.priority,
            });
          }
          expect(run.createdAt).toBeGreaterThan(0);
        }
        const events = await c.readEvents(id);
        expect(events.map((e) => e.type)).toEqual(["run:created"]);
        expect(events[0]?.runId).toBe(id);
      });

      it("returns the existing run for a reused idempotency key, and creates exactly one run under concurrent calls", async () => {
        const { c } = h();
        const key = `key-${randomUUID()}`;
        const first = await h().createRun(chain("a"), { idempotencyKey: key });
        const secondId = randomUUID();
        const second = await h().createRun(chain("a"), { id: secondId, idempotencyKey: key });
        expect(first.created).toBe(true);
        expect(first.run.idempotencyKey).toBe(key);
        expect(second.created).toBe(false);
        expect(second.run.id).toBe(first.run.id);
        expect(await c.getRun(secondId)).toBeUndefined();

        const racedKey = `key-${randomUUID()}`;
        const raced = await Promise.all(
          Array.from({ length: 10 }, () => h().createRun(chain("a"), { idempotencyKey: racedKey })),
        );
        expect(new Set(raced.map((r) => r.run.id)).size).toBe(1);
        expect(raced.filter((r) => r.created)).toHaveLength(1);
        expect((await c.listRuns({ workflow: h().workflow })).runs).toHaveLength(2);
      });
    });

    // Registered only for backends that lease in createRun (no skipped tests for the others).
    if (options.eagerStart === true)
      describe("createRun with claim (eager start)", () => {
        it("leases up to max roots, highest priority first, as a claim would; queues the rest", async () => {
          const { c } = h();
          const g = graph(
            task("low", [], 0),
            task("high", [], 5),
            task("mid", [], 2),
            task("after", ["high"]),
          );
          const id = randomUUID();
          const result = await h().createRun(g, {
            id,
            input: { x: 2 },
            claim: { workerId: WORKER, max: 2, leaseMs: LONG_LEASE },
          });
          expect(result.created).toBe(true);
          const leased = result.claimed ?? [];
          expect(leased.map((t) => t.task)).toEqual(["high", "mid"]);
          for (const t of leased) {
            expect(t).toMatchObject({
              runId: id,
              workflow: h().workflow,
              version: "1",
              attempt: 1,
              deps: {},
            });
            expect(t.input).toEqual({ x: 2 });
            expect(t.leaseExpiresAt).toBeGreaterThan(Date.now() + LONG_LEASE / 2);
            expect(t.readyAt).toBeGreaterThanOrEqual(result.run.createdAt);
          }
          const run = await h().get(id);
          expect(run.status).toBe("running");
          expect(taskOf(run, "high")).toMatchObject({ status: "running", attempts: 1 });
          expect(taskOf(run, "mid")).toMatchObject({ status: "running", attempts: 1 });
          expect(taskOf(run, "low")).toMatchObject({ status: "ready", attempts: 0 });
          const types = (await c.readEvents(id)).map((e) => [e.type, e.task ?? ""].join(" ").trim());
          expect(types.slice(0, 2)).toEqual(["run:created", "run:started"]);
          expect(types.slice(2).sort()).toEqual(["task:started high", "task:started mid"]);
          // The leased roots are not claimable again; the queued one is.
          expect((await h().claimAll(id)).map((t) => t.task)).toEqual(["low"]);
          // The leases are real: the outcome commits and readies the dependent.
          const high = leased[0]!;
          expect(await c.complete(high, { output: "h", durationMs: 1 })).toEqual({ ok: true });
          const after = await h().claimOne(id);
          expect(after.task).toBe("after");
          expect(after.deps).toEqual({ high: "h" });
        });

        it("leases nothing for a reused idempotency key, and never more than max or than the roots", async () => {
          const key = `key-${randomUUID()}`;
          const claim = { workerId: WORKER, max: 5, leaseMs: LONG_LEASE };
          const first = await h().createRun(parallel("a", "b"), { idempotencyKey: key, claim });
          expect(first.claimed?.map((t) => t.task).sort()).toEqual(["a", "b"]);
          const again = await h().createRun(parallel("a", "b"), { idempotencyKey: key, claim });
          expect(again.created).toBe(false);
          expect(again.claimed ?? []).toEqual([]);
          const one = await h().createRun(parallel("a", "b", "c"), { claim: { ...claim, max: 1 } });
          expect(one.claimed).toHaveLength(1);
          expect((await h().claimAll(one.run.id)).map((t) => t.task).sort()).toHaveLength(2);
        });
      });

    describe("claim", () => {
      it("leases at most max tasks, each running with attempt 1, and starts the run once", async () => {
        const { c } = h();
        const run = await h().newRun(parallel("a", "b", "c"), { input: { x: 1 } });
        const firstBatch = await h().claim(run.id, 2);
        expect(firstBatch).toHaveLength(2);
        const claimed = [...firstBatch, ...(await h().claimAll(run.id))];
        expect(claimed.map((t) => t.task).sort()).toEqual(["a", "b", "c"]);

        const after = await h().get(run.id);
        expect(after.status).toBe("running");
        expect(typeof after.startedAt).toBe("number");
        for (const t of claimed) {
          expect(t).toMatchObject({
            runId: run.id,
            workflow: h().workflow,
            version: "1",
            attempt: 1,
            deps: {},
          });
          expect(t.input).toEqual({ x: 1 });
          expect(typeof t.token).toBe("string");
          expect(t.token.length).toBeGreaterThan(0);
          expect(t.leaseExpiresAt).toBeGreaterThan(Date.now() + LONG_LEASE / 2);
          expect(t.readyAt).toBeGreaterThanOrEqual(run.createdAt);
          expect(t.readyAt).toBeLessThan(t.leaseExpiresAt);
          expect(taskOf(after, t.task)).toMatchObject({ status: "running", attempts: 1 });
        }

        const events = await c.readEvents(run.id);
        const types = events.map((e) => e.type);
        expect(types.filter((type) => type === "run:started")).toHaveLength(1);
        expect(types.indexOf("run:started")).toBeLessThan(types.indexOf("task:started"));
        const started = events.filter((e) => e.type === "task:started");
        expect(started.map((e) => e.task).sort()).toEqual(["a", "b", "c"]);
        for (const e of started) expect(e.attempt).toBe(1);
      });

      it("hands out the highest priority first, then the earliest ready", async () => {
        const { c } = h();
        const early = await h().newRun(graph(task("p0", [], 0), task("p5-early", [], 5)));
        await sleep(10);
        const late = await h().newRun(graph(task("p1", [], 1), task("p5-late", [], 5)));
        const mine = new Set([early.id, late.id]);
        const order: string[] = [];
        for (let i = 0; i < 20 && order.length < 4; i++) {
          const batch = await c.claim({ workerId: WORKER, max: 1, leaseMs: LONG_LEASE });
          expect(batch.length).toBeLessThanOrEqual(1);
          if (batch.length === 0) break;
          order.push(...batch.filter((t) => mine.has(t.runId)).map((t) => t.task));
        }
        expect(order).toEqual(["p5-early", "p5-late", "p1", "p0"]);
      });

      it("never hands one task to two concurrent claims", async () => {
        const { c } = h();
        const names = Array.from({ length: 10 }, (_, i) => `t${i}`);
        const run = await h().newRun(parallel(...names));
        const batches = await Promise.all(
          Array.from({ length: 20 }, () => c.claim({ workerId: WORKER, max: 1, leaseMs: LONG_LEASE })),
        );
        for (const batch of batches) expect(batch.length).toBeLessThanOrEqual(1);
        const claimed = batches.flat().filter((t) => t.runId === run.id);
        expect(claimed).toHaveLength(10);
        expect(new Set(claimed.map((t) => t.task)).size).toBe(10);
        const after = await h().get(run.id);
        for (const n of names) expect(taskOf(after, n)).toMatchObject({ status: "running", attempts: 1 });
      });
    });

    describe("complete", () => {
      it("stores the output and queues dependents whose deps all succeeded, handing them exactly their deps' outputs", async () => {
        const { c } = h();
        const run = await h().newRun(graph(task("a"), task("b"), task("c", ["a"]), task("d", ["a", "b"])));
        const roots = await h().claimAll(run.id);
        const a = named(roots, "a");
        const b = named(roots, "b");

        expect(essential(await c.complete(lease(a), { output: { v: 1 }, durationMs: 42 }))).toEqual({
          ok: true,
        });
        let after = await h().get(run.id);
        expect(taskOf(after, "a")).toMatchObject({
          status: "succeeded",
          output: { v: 1 },
          durationMs: 42,
          attempts: 1,
        });
        expect(taskOf(after, "c").status).toBe("ready");
        expect(taskOf(after, "d").status).toBe("pending");
        const [cTask, ...noMore] = await h().claimAll(run.id);
        expect(noMore).toEqual([]);
        expect(cTask).toMatchObject({ task: "c", attempt: 1 });
        expect(cTask?.deps).toEqual({ a: { v: 1 } });

        expect(essential(await c.complete(lease(b), { output: "B", durationMs: 5 }))).toEqual({ ok: true });
        after = await h().get(run.id);
        expect(taskOf(after, "d").status).toBe("ready");
        const dTasks = await h().claimAll(run.id);
        expect(dTasks.map((t) => t.task)).toEqual(["d"]);
        expect(dTasks[0]?.deps).toEqual({ a: { v: 1 }, b: "B" });

        const succeeded = (await c.readEvents(run.id)).find(
          (e) => e.type === "task:succeeded" && e.task === "a",
        );
        expect(succeeded?.durationMs).toBe(42);
      });

      it("records a skipped task as done: status skipped, output handed to dependents, task:skipped logged", async () => {
        const { c } = h();
        const run = await h().newRun(chain("a", "b"));
        const a = await h().claimOne(run.id);
        expect(
          essential(await c.complete(lease(a), { output: "cached", durationMs: 0, skipped: true })),
        ).toEqual({
          ok: true,
        });
        expect(taskOf(await h().get(run.id), "a")).toMatchObject({ status: "skipped", output: "cached" });
        expect((await c.readEvents(run.id)).some((e) => e.type === "task:skipped" && e.task === "a")).toBe(
          true,
        );
        const b = await h().claimOne(run.id);
        expect(b).toMatchObject({ task: "b", deps: { a: "cached" } });
        expect(essential(await c.complete(lease(b), { output: 1, durationMs: 1 }))).toEqual({
          ok: true,
          runStatus: "succeeded",
        });
      });

      it("may return the run's result or times with the outcome that ends it; they match the stored run", async () => {
        const { c } = h();
        // One run at a time: a claim of one run's task must not take (and drop) the other's.
        for (const awaited of [true, false]) {
          const run = await h().newRun(chain("a"));
          // Read first, as a waiting result() does: a backend may then return the result with the end.
          if (awaited) expect((await c.getResult?.(run.id))?.status ?? "pending").toBe("pending");
          const a = await h().claimOne(run.id);
          const outcome = await c.complete(lease(a), { output: { v: run.id }, durationMs: 1 });
          expect(essential(outcome)).toEqual({ ok: true, runStatus: "succeeded" });
          if (!outcome.ok) continue;
          const stored = await h().get(run.id);
          if (outcome.result !== undefined) {
            expect(outcome.result).toMatchObject({ status: "succeeded", outputs: { a: { v: run.id } } });
            if (c.getResult !== undefined) expect(outcome.result).toEqual(await c.getResult(run.id));
          }
          if (outcome.runTimes !== undefined)
            expect(outcome.runTimes).toEqual({ startedAt: stored.startedAt, endedAt: stored.endedAt });
        }
      });

      it("makes a fan-in task ready exactly once when its deps complete concurrently", async () => {
        const { c } = h();
        const run = await h().newRun(diamond());
        const a = await h().claimOne(run.id);
        expect(essential(await c.complete(lease(a), { output: "A", durationMs: 1 }))).toEqual({ ok: true });
        const middle = await h().claimAll(run.id);
        expect(middle.map((t) => t.task).sort()).toEqual(["b", "c"]);
        const results = await Promise.all(
          middle.map((t) => c.complete(lease(t), { output: t.task.toUpperCase(), durationMs: 1 })),
        );
        expect(results).toEqual([{ ok: true }, { ok: true }]);

        const d = await h().claim(run.id);
        expect(d.map((t) => t.task)).toEqual(["d"]);
        expect(d[0]?.deps).toEqual({ b: "B", c: "C" });
        expect(await h().claim(run.id)).toEqual([]);
        const started = (await c.readEvents(run.id)).filter(
          (e) => e.type === "task:started" && e.task === "d",
        );
        expect(started).toHaveLength(1);
      });

      it("ends the run succeeded when the last task completes, signals run-finished and logs run:succeeded last", async () => {
        const { c } = h();
        const signals = h().listen();
        const run = await h().newRun(chain("a", "b"));
        const a = await h().claimOne(run.id);
        expect(essential(await c.complete(lease(a), { output: 1, durationMs: 1 }))).toEqual({ ok: true });
        const b = await h().claimOne(run.id);
        expect(essential(await c.complete(lease(b), { output: 2, durationMs: 1 }))).toEqual({
          ok: true,
          runStatus: "succeeded",
        });

        const after = await h().get(run.id);
        expect(after.status).toBe("succeeded");
        expect(typeof after.endedAt).toBe("number");
        expect(after.endedAt).toBeGreaterThanOrEqual(after.startedAt ?? Number.POSITIVE_INFINITY);
        const finished = await h().waitForSignal(
          signals,
          (s) => s.type === "run-finished" && s.runId === run.id,
        );
        expect(finished).toEqual({ type: "run-finished", runId: run.id, status: "succeeded" });
        expect((await c.readEvents(run.id)).at(-1)?.type).toBe("run:succeeded");
      });
    });

    describe("fencing", () => {
      it("refuses outcomes from a wrong, spent or superseded token and changes nothing", async () => {
        const { c } = h();
        const run = await h().newRun(graph(task("a", [], 1), task("b")));
        const a = await h().claimOne(run.id);
        expect(a.task).toBe("a");
        const before = await h().get(run.id);
        const eventCount = (await c.readEvents(run.id)).length;
        expect(
          await c.complete({ ...lease(a), token: `${a.token}-wrong` }, { output: 1, durationMs: 1 }),
        ).toEqual(LEASE_LOST);
        expect(await h().get(run.id)).toEqual(before);
        expect(await c.readEvents(run.id)).toHaveLength(eventCount);

        expect(essential(await c.complete(lease(a), { output: "first", durationMs: 1 }))).toEqual({
          ok: true,
        });
        expect(essential(await c.complete(lease(a), { output: "second", durationMs: 1 }))).toEqual(
          LEASE_LOST,
        );
        expect(await c.fail(lease(a), { error: BOOM, durationMs: 1 })).toEqual(LEASE_LOST);
        expect(taskOf(await h().get(run.id), "a")).toMatchObject({ status: "succeeded", output: "first" });

        const b1 = await h().claimOne(run.id);
        expect(await c.fail(lease(b1), { error: BOOM, durationMs: 1, retryDelayMs: 0 })).toEqual({
          ok: true,
        });
        const b2 = await h().claimOne(run.id, { timeoutMs: 1000 + slack });
        expect(b2).toMatchObject({ task: "b", attempt: 2 });
        expect(b2.token).not.toBe(b1.token);
        expect(await c.fail(lease(b1), { error: BOOM, durationMs: 1 })).toEqual(LEASE_LOST);
        expect(essential(await c.complete(lease(b1), { output: "stale", durationMs: 1 }))).toEqual(
          LEASE_LOST,
        );
        expect(taskOf(await h().get(run.id), "b")).toMatchObject({ status: "running", attempts: 2 });
        expect(essential(await c.complete(lease(b2), { output: "fresh", durationMs: 1 }))).toEqual({
          ok: true,
          runStatus: "succeeded",
        });
      });
    });

    describe("leases", () => {
      it("loses an expired lease: its outcome is refused, recover() requeues it for attempt 2 with a new token", async () => {
        const { c } = h();
        const run = await h().newRun(chain("a"));
        const [first] = await h().claim(run.id, 1, 100);
        if (first === undefined) throw new Error("claim returned no task");
        await sleep(200 + slack);
        expect(essential(await c.complete(lease(first), { output: 1, durationMs: 1 }))).toEqual(LEASE_LOST);
        expect(taskOf(await h().get(run.id), "a").status).not.toBe("succeeded");

        expect((await c.recover()).leases).toBeGreaterThanOrEqual(1);
        const second = await h().claimOne(run.id, { timeoutMs: 1000 + slack });
        expect(second).toMatchObject({ task: "a", attempt: 2 });
        expect(second.token).not.toBe(first.token);
        expect(taskOf(await h().get(run.id), "a")).toMatchObject({ status: "running", attempts: 2 });

        const lost = await c.heartbeat([lease(first)], 1000);
        expect(lost).toHaveLength(1);
        expect(lost[0]).toMatchObject(lease(first));
        expect((await c.readEvents(run.id)).some((e) => e.type === "task:lease_lost" && e.task === "a")).toBe(
          true,
        );
        expect(essential(await c.complete(lease(second), { output: 2, durationMs: 1 }))).toEqual({
          ok: true,
          runStatus: "succeeded",
        });
      });

      it("keeps a lease alive past its original expiry while heartbeats extend it", async () => {
        const { c } = h();
        const leaseMs = 150 + slack;
        const run = await h().newRun(chain("a"));
        const [claimed] = await h().claim(run.id, 1, leaseMs);
        if (claimed === undefined) throw new Error("claim returned no task");
        for (let elapsed = 0; elapsed < 400; elapsed += 50) {
          await sleep(50);
          expect(await c.heartbeat([lease(claimed)], leaseMs)).toEqual([]);
        }
        await c.recover();
        expect(taskOf(await h().get(run.id), "a")).toMatchObject({ status: "running", attempts: 1 });
        expect(essential(await c.complete(lease(claimed), { output: 1, durationMs: 1 }))).toEqual({
          ok: true,
          runStatus: "succeeded",
        });
        expect((await c.readEvents(run.id)).some((e) => e.type === "task:lease_lost")).toBe(false);
      });

      it("reports from a heartbeat only the leases whose token does not hold", async () => {
        const { c } = h();
        const run = await h().newRun(parallel("a", "b"));
        const claimed = await h().claimAll(run.id);
        const a = named(claimed, "a");
        const b = named(claimed, "b");
        const wrongToken: LeaseRef = { ...lease(b), token: `${b.token}-wrong` };
        const unknownRun: LeaseRef = { runId: randomUUID(), task: "a", token: "no-such-lease" };
        const lost = await c.heartbeat([lease(a), wrongToken, lease(b), unknownRun], LONG_LEASE);
        expect(lost.map((l) => l.token).sort()).toEqual([wrongToken.token, unknownRun.token].sort());
        expect(essential(await c.complete(lease(a), { output: 1, durationMs: 1 }))).toEqual({ ok: true });
        expect(essential(await c.complete(lease(b), { output: 2, durationMs: 1 }))).toEqual({
          ok: true,
          runStatus: "succeeded",
        });
      });
    });

    describe("fail", () => {
      it("retries later: the task waits as retrying with its error until retryDelayMs passes, then runs attempt 2", async () => {
        const { c } = h();
        const run = await h().newRun(chain("a"));
        const first = await h().claimOne(run.id);
        const failedAt = Date.now();
        expect(await c.fail(lease(first), { error: BOOM, durationMs: 7, retryDelayMs: 300 })).toEqual({
          ok: true,
        });
        const waiting = taskOf(await h().get(run.id), "a");
        expect(waiting.status).toBe("retrying");
        expect(waiting.error).toMatchObject(BOOM);
        expect(waiting.retryAt).toBeGreaterThanOrEqual(first.leaseExpiresAt - LONG_LEASE + 300 - 1);
        expect((await c.readEvents(run.id)).some((e) => e.type === "task:retrying" && e.task === "a")).toBe(
          true,
        );
        expect(await h().claim(run.id)).toEqual([]);

        const second = await h().claimOne(run.id, { timeoutMs: 1500 + slack, intervalMs: 50 });
        expect(Date.now() - failedAt).toBeGreaterThanOrEqual(280);
        expect(second).toMatchObject({ task: "a", attempt: 2 });
        expect(second.token).not.toBe(first.token);
        expect(taskOf(await h().get(run.id), "a")).toMatchObject({ status: "running", attempts: 2 });
      });

      it("refunds an attempt: with refundAttempt the next claim repeats attempt and roundAttempt, under a new token", async () => {
        const { c } = h();
        const run = await h().newRun(chain("a"));
        const first = await h().claimOne(run.id);
        expect(first).toMatchObject({ task: "a", attempt: 1 });
        const circuitOpen: SerializedError = {
          name: "CircuitOpenError",
          message: "open",
          code: "FM_ERR_CIRCUIT_OPEN",
        };
        expect(
          await c.fail(lease(first), {
            error: circuitOpen,
            durationMs: 0,
            retryDelayMs: 100,
            refundAttempt: true,
          }),
        ).toEqual({ ok: true });
        const waiting = taskOf(await h().get(run.id), "a");
        expect(waiting).toMatchObject({ status: "retrying", attempts: 0, error: circuitOpen });
        expect(await h().claim(run.id)).toEqual([]);

        const again = await h().claimOne(run.id, { timeoutMs: 1500 + slack, intervalMs: 25 });
        expect(again).toMatchObject({ task: "a", attempt: 1 });
        expect(again.roundAttempt ?? again.attempt).toBe(1);
        expect(again.token).not.toBe(first.token);
        expect(taskOf(await h().get(run.id), "a")).toMatchObject({ status: "running", attempts: 1 });
        // The refunded lease is spent: its token must not report for the new claim.
        expect(essential(await c.complete(lease(first), { output: "stale", durationMs: 1 }))).toEqual(
          LEASE_LOST,
        );

        // A real failure after a refund counts as usual: the next claim is attempt 2.
        expect(await c.fail(lease(again), { error: BOOM, durationMs: 1, retryDelayMs: 0 })).toEqual({
          ok: true,
        });
        const second = await h().claimOne(run.id, { timeoutMs: 1000 + slack });
        expect(second).toMatchObject({ task: "a", attempt: 2 });
        expect(second.roundAttempt ?? second.attempt).toBe(2);
        expect([first.token, again.token]).not.toContain(second.token);
        expect(essential(await c.complete(lease(second), { output: "done", durationMs: 1 }))).toEqual({
          ok: true,
          runStatus: "succeeded",
        });
        expect(taskOf(await h().get(run.id), "a")).toMatchObject({ status: "succeeded", attempts: 2 });
      });

      it("fails finally: marks the given downstream upstream_failed for good, lets independent tasks finish, then fails the run", async () => {
        const { c } = h();
        const run = await h().newRun(
          graph(task("a", [], 10), task("b", ["a"]), task("c", ["b"]), task("x"), task("y", ["a", "x"])),
        );
        const a = await h().claimOne(run.id);
        expect(a.task).toBe("a");
        const downstream = ["b", "c", "y"];
        expect(await c.fail(lease(a), { error: BOOM, durationMs: 3, downstream })).toEqual({ ok: true });

        const after = await h().get(run.id);
        expect(taskOf(after, "a")).toMatchObject({ status: "failed", error: BOOM });
        expect(taskOf(after, "b").status).toBe("upstream_failed");
        expect(taskOf(after, "c").status).toBe("upstream_failed");
        expect(taskOf(after, "y").status).toBe("upstream_failed");
        expect(after.status).toBe("running");
        const events = await c.readEvents(run.id);
        expect(events.some((e) => e.type === "task:failed" && e.task === "a")).toBe(true);
        const upstream = events.filter((e) => e.type === "task:upstream_failed").map((e) => e.task);
        expect(upstream.sort()).toEqual(downstream);

        const rest = await h().claimAll(run.id);
        expect(rest.map((t) => t.task)).toEqual(["x"]);
        expect(essential(await c.complete(lease(named(rest, "x")), { output: 1, durationMs: 1 }))).toEqual({
          ok: true,
          runStatus: "failed",
        });
        // x was y's last pending dep: y must stay upstream_failed, not become ready.
        expect(await h().claim(run.id)).toEqual([]);
        const ended = await h().get(run.id);
        expect(ended.status).toBe("failed");
        expect(taskOf(ended, "y").status).toBe("upstream_failed");
        expect(typeof ended.endedAt).toBe("number");
        expect(ended.error).toMatchObject({ task: "a", message: BOOM.message });
        expect((await c.readEvents(run.id)).at(-1)?.type).toBe("run:failed");
      });
    });

    describe("finishRun", () => {
      it("cancels a run: waiting tasks are cancelled and never claimed, running leases are lost, subscribers hear it", async () => {
        const { c } = h();
        const signals = h().listen();
        const run = await h().newRun(graph(task("a", [], 10), task("b"), task("c", ["a"])));
        const a = await h().claimOne(run.id);
        expect(a.task).toBe("a");

        const ended = await c.finishRun(run.id, { status: "cancelled", reason: "stopped by test" });
        expect(ended?.id).toBe(run.id);
        expect(ended?.status).toBe("cancelled");
        const after = await h().get(run.id);
        expect(after.status).toBe("cancelled");
        expect(typeof after.endedAt).toBe("number");
        expect(taskOf(after, "b").status).toBe("cancelled");
        expect(taskOf(after, "c").status).toBe("cancelled");
        expect(await h().claim(run.id)).toEqual([]);

        expect(essential(await c.complete(lease(a), { output: 1, durationMs: 1 }))).toEqual(LEASE_LOST);
        expect(taskOf(await h().get(run.id), "a").status).not.toBe("succeeded");
        expect((await c.heartbeat([lease(a)], LONG_LEASE)).map((l) => l.token)).toEqual([a.token]);
        await h().waitForSignal(signals, (s) => s.type === "run-cancelled" && s.runId === run.id);
        const finished = await h().waitForSignal(
          signals,
          (s) => s.type === "run-finished" && s.runId === run.id,
        );
        expect(finished).toEqual({ type: "run-finished", runId: run.id, status: "cancelled" });
        expect((await c.readEvents(run.id)).some((e) => e.type === "run:cancelled")).toBe(true);

        expect(await c.finishRun(run.id, { status: "cancelled" })).toBeUndefined();
        expect(await c.finishRun(run.id, { status: "timed_out" })).toBeUndefined();
        expect((await h().get(run.id)).status).toBe("cancelled");
      });

      it("leaves a run that already succeeded untouched", async () => {
        const { c } = h();
        const run = await h().newRun(chain("a"));
        const a = await h().claimOne(run.id);
        expect(essential(await c.complete(lease(a), { output: 1, durationMs: 1 }))).toEqual({
          ok: true,
          runStatus: "succeeded",
        });
        expect(await c.finishRun(run.id, { status: "cancelled" })).toBeUndefined();
        const after = await h().get(run.id);
        expect(after.status).toBe("succeeded");
        expect(taskOf(after, "a")).toMatchObject({ status: "succeeded", output: 1 });
      });
    });

    describe("recover", () => {
      it("times out a run past its deadline: timed_out status and event, its running lease lost, run-finished signalled", async () => {
        const { c } = h();
        const signals = h().listen();
        const run = await h().newRun(chain("a", "b"), { timeoutMs: 100 });
        expect(run.deadlineAt).toBeGreaterThanOrEqual(run.createdAt + 100);
        const a = await h().claimOne(run.id);
        await sleep(200 + slack);

        expect((await c.recover()).timedOut).toContain(run.id);
        const after = await h().get(run.id);
        expect(after.status).toBe("timed_out");
        expect(typeof after.endedAt).toBe("number");
        expect((await c.readEvents(run.id)).some((e) => e.type === "run:timed_out")).toBe(true);
        expect(essential(await c.complete(lease(a), { output: 1, durationMs: 1 }))).toEqual(LEASE_LOST);
        expect((await c.heartbeat([lease(a)], LONG_LEASE)).map((l) => l.token)).toEqual([a.token]);
        const finished = await h().waitForSignal(
          signals,
          (s) => s.type === "run-finished" && s.runId === run.id,
        );
        expect(finished).toEqual({ type: "run-finished", runId: run.id, status: "timed_out" });
        expect((await c.recover()).timedOut).not.toContain(run.id);
      });
    });

    describe("retryRun", () => {
      it("re-opens a failed run: reset tasks run again with attempts counting on, succeeded tasks keep their output", async () => {
        const { c } = h();
        const run = await h().newRun(graph(task("a", [], 10), task("b", ["a"]), task("x")));
        const roots = await h().claimAll(run.id);
        expect(essential(await c.complete(lease(named(roots, "x")), { output: "X", durationMs: 1 }))).toEqual(
          {
            ok: true,
          },
        );
        const failed = await c.fail(lease(named(roots, "a")), {
          error: BOOM,
          durationMs: 1,
          downstream: ["b"],
        });
        expect(failed).toEqual({ ok: true, runStatus: "failed" });

        const reopened = await c.retryRun(run.id, { reset: ["a", "b"] });
        for (const record of [reopened, await h().get(run.id)]) {
          expect(record.status).toBe("running");
          expect(taskOf(record, "a")).toMatchObject({ status: "ready", attempts: 1 });
          expect(taskOf(record, "b").status).toBe("pending");
          expect(taskOf(record, "x")).toMatchObject({ status: "succeeded", output: "X" });
        }
        expect((await c.readEvents(run.id)).some((e) => e.type === "run:retried")).toBe(true);

        const again = await h().claimAll(run.id);
        expect(again.map((t) => t.task)).toEqual(["a"]);
        expect(again[0]?.attempt).toBe(2);
        expect(essential(await c.complete(lease(named(again, "a")), { output: "A", durationMs: 1 }))).toEqual(
          {
            ok: true,
          },
        );
        const b = await h().claimOne(run.id);
        expect(b).toMatchObject({ task: "b", attempt: 1, deps: { a: "A" } });
        expect(essential(await c.complete(lease(b), { output: "B", durationMs: 1 }))).toEqual({
          ok: true,
          runStatus: "succeeded",
        });
        const ended = await h().get(run.id);
        expect(ended.status).toBe("succeeded");
        expect(taskOf(ended, "a").attempts).toBe(2);
      });

      it("re-opens a cancelled run whose task was waiting to retry, and honours the new attempt's retry delay", async () => {
        const { c } = h();
        const run = await h().newRun(chain("a"));
        const first = await h().claimOne(run.id);
        expect(await c.fail(lease(first), { error: BOOM, durationMs: 1, retryDelayMs: 100 })).toEqual({
          ok: true,
        });
        expect((await c.finishRun(run.id, { status: "cancelled" }))?.status).toBe("cancelled");
        expect(taskOf(await c.retryRun(run.id, { reset: ["a"] }), "a").status).toBe("ready");
        const second = await h().claimOne(run.id);
        expect(second.attempt).toBe(2);
        expect(await c.fail(lease(second), { error: BOOM, durationMs: 1, retryDelayMs: 1500 })).toEqual({
          ok: true,
        });
        // Past the first, superseded delay but well before the second one.
        await sleep(250 + slack);
        expect(await h().claim(run.id)).toEqual([]);
        expect(taskOf(await h().get(run.id), "a").status).toBe("retrying");
      });

      it("refuses a run that has not finished (FM_ERR_INVALID_STATE) and an unknown run (FM_ERR_UNKNOWN_RUN)", async () => {
        const { c } = h();
        const run = await h().newRun(chain("a"));
        await h().claimOne(run.id);
        await expect(settle(() => c.retryRun(run.id, { reset: ["a"] }))).rejects.toMatchObject({
          name: "FlowMeshError",
          code: "FM_ERR_INVALID_STATE",
        });
        expect((await h().get(run.id)).status).toBe("running");
        await expect(settle(() => c.retryRun(randomUUID(), { reset: ["a"] }))).rejects.toMatchObject({
          name: "FlowMeshError",
          code: "FM_ERR_UNKNOWN_RUN",
        });
      });
    });

    describe("event log", () => {
      it("keeps events in order with increasing ids, resumes after any id, and caps pages at limit", async () => {
        const { c } = h();
        const run = await h().newRun(chain("a", "b"));
        for (const name of ["a", "b"]) {
          const claimed = await h().claimOne(run.id);
          expect(claimed.task).toBe(name);
          expect((await c.complete(lease(claimed), { output: name, durationMs: 1 })).ok).toBe(true);
        }
        const events = await c.readEvents(run.id);
        expect(events.map((e) => e.type)).toEqual([
          "run:created",
          "run:started",
          "task:started",
          "task:succeeded",
          "task:started",
          "task:succeeded",
          "run:succeeded",
        ]);
        expect(events.filter((e) => e.type.startsWith("task:")).map((e) => e.task)).toEqual([
          "a",
          "a",
          "b",
          "b",
        ]);
        for (const e of events) {
          expect(e.runId).toBe(run.id);
          expect(typeof e.at).toBe("number");
        }
        for (let k = 1; k < events.length; k++)
          expect(compareEventIds(id(events[k - 1]), id(events[k]))).toBe(-1);
        for (let k = 0; k < events.length; k++) {
          expect(await c.readEvents(run.id, { after: id(events[k]) })).toEqual(events.slice(k + 1));
        }
        expect(await c.readEvents(run.id, { limit: 3 })).toEqual(events.slice(0, 3));
        expect(await c.readEvents(run.id, { after: id(events[1]), limit: 2 })).toEqual(events.slice(2, 4));
      });
    });

    describe("listRuns", () => {
      it("filters by workflow, status and creation time, newest first, and pages with nextCursor", async () => {
        const { c } = h();
        const workflow = h().workflow;
        const runs: RunRecord[] = [];
        for (let i = 0; i < 5; i++) {
          runs.push(await h().newRun(chain("a")));
          await sleep(5);
        }
        await h().newRun(chain("a"), { workflow: `${workflow}-other` });
        for (let i = 1; i < runs.length; i++)
          expect(at(runs, i).createdAt).toBeGreaterThan(at(runs, i - 1).createdAt);
        expect((await c.finishRun(at(runs, 1).id, { status: "cancelled" }))?.status).toBe("cancelled");
        expect((await c.finishRun(at(runs, 2).id, { status: "timed_out" }))?.status).toBe("timed_out");

        const ids = (...indexes: number[]): string[] => indexes.map((i) => at(runs, i).id);
        const list = async (
          filter: Omit<Parameters<Coordinator["listRuns"]>[0], "workflow">,
        ): Promise<string[]> => (await c.listRuns({ workflow, ...filter })).runs.map((r) => r.id);

        expect(await list({})).toEqual(ids(4, 3, 2, 1, 0));
        expect(await list({ status: "cancelled" })).toEqual(ids(1));
        expect(await list({ status: ["timed_out", "cancelled"] })).toEqual(ids(2, 1));
        const pending = await c.listRuns({ workflow, status: "pending" });
        expect(pending.runs.map((r) => r.id)).toEqual(ids(4, 3, 0));
        expect(pending.runs.every((r) => r.status === "pending")).toBe(true);
        expect(await list({ createdAfter: at(runs, 1).createdAt })).toEqual(ids(4, 3, 2, 1));
        expect(await list({ createdBefore: at(runs, 3).createdAt })).toEqual(ids(2, 1, 0));
        expect(
          await list({ createdAfter: at(runs, 1).createdAt, createdBefore: at(runs, 3).createdAt }),
        ).toEqual(ids(2, 1));

        const paged: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await c.listRuns({ workflow, limit: 2, ...(cursor === undefined ? {} : { cursor }) });
          expect(page.runs.length).toBeLessThanOrEqual(2);
          paged.push(...page.runs.map((r) => r.id));
          cursor = page.nextCursor;
          pages++;
        } while (cursor !== undefined && pages < 10);
        expect(pages).toBeLessThanOrEqual(4);
        expect(paged).toEqual(ids(4, 3, 2, 1, 0));
      });
    });

    describe("listRuns by namespace", () => {
      it("stores each run's namespace and filters by one or several, alone or with other filters", async () => {
        const { c } = h();
        const tenant = `tenant-${randomUUID().slice(0, 8)}`;
        const [a, b] = [`${tenant}-a`, `${tenant}-b`];
        const inA = await h().newRun(chain("x"), { namespace: a });
        await sleep(5);
        const inB = await h().newRun(chain("x"), { namespace: b, workflow: `${h().workflow}-b` });
        await sleep(5);
        const inA2 = await h().newRun(chain("x"), { namespace: a });
        expect(inA.namespace).toBe(a);
        expect((await h().get(inB.id)).namespace).toBe(b);
        const ids = async (filter: Parameters<Coordinator["listRuns"]>[0]): Promise<string[]> =>
          (await c.listRuns(filter)).runs.map((r) => r.id);
        expect(await ids({ namespace: a })).toEqual([inA2.id, inA.id]);
        expect(await ids({ namespace: [a, b] })).toEqual([inA2.id, inB.id, inA.id]);
        expect(await ids({ namespace: b, workflow: h().workflow })).toEqual([]);
        await c.finishRun(inA.id, { status: "cancelled" });
        expect(await ids({ namespace: a, status: "cancelled" })).toEqual([inA.id]);
        const first = await c.listRuns({ namespace: [a, b], limit: 2 });
        expect(first.runs.map((r) => r.namespace)).toEqual([a, b]);
        expect(first.nextCursor).toBeDefined();
        expect(await ids({ namespace: [a, b], limit: 2, cursor: first.nextCursor! })).toEqual([inA.id]);
      });
    });

    describe("signals and queries", () => {
      it("signals work to subscribers when a run has ready tasks, and stops after unsubscribe", async () => {
        const { c } = h();
        const received: CoordinatorSignal[] = [];
        const unsubscribe = c.subscribe((signal) => received.push(signal));
        await h().newRun(chain("a"));
        await h().waitForSignal(received, (s) => s.type === "work");
        unsubscribe();
        const count = received.length;
        await h().newRun(chain("a"));
        await sleep(150 + slack);
        expect(received).toHaveLength(count);
      });

      it("counts ready and retrying tasks in queueDepth, not running, waiting or cancelled ones", async () => {
        const { c } = h();
        const before = await c.queueDepth();
        const run = await h().newRun(graph(task("a"), task("b"), task("c"), task("d", ["a", "b", "c"])));
        expect(await c.queueDepth()).toBe(before + 3);
        const claimed = await h().claim(run.id, 2);
        expect(claimed).toHaveLength(2);
        expect(await c.queueDepth()).toBe(before + 1);
        const [first] = claimed;
        if (first === undefined) throw new Error("claim returned no task");
        expect(await c.fail(lease(first), { error: BOOM, durationMs: 1, retryDelayMs: 60_000 })).toEqual({
          ok: true,
        });
        expect(await c.queueDepth()).toBe(before + 2);
        await c.finishRun(run.id, { status: "cancelled" });
        expect(await c.queueDepth()).toBe(before);
      });

      it("counts unfinished runs in countActiveRuns, when the backend offers it", async (test) => {
        const { c } = h();
        if (c.countActiveRuns === undefined) return test.skip("this backend has no countActiveRuns");
        const before = await c.countActiveRuns();
        const done = await h().newRun(chain("a"));
        const cancelled = await h().newRun(chain("a", "b"));
        expect(await c.countActiveRuns()).toBe(before + 2);
        const [claimed] = await h().claim(done.id);
        if (claimed === undefined) throw new Error("claim returned no task");
        expect(await c.countActiveRuns()).toBe(before + 2);
        expect(essential(await c.complete(lease(claimed), { output: 1, durationMs: 1 }))).toEqual({
          ok: true,
          runStatus: "succeeded",
        });
        expect(await c.countActiveRuns()).toBe(before + 1);
        await c.finishRun(cancelled.id, { status: "cancelled" });
        expect(await c.countActiveRuns()).toBe(before);
      });

      it("returns undefined for an unknown run and an empty event log for it", async () => {
        const { c } = h();
        expect(await c.getRun(randomUUID())).toBeUndefined();
        expect(await c.readEvents(randomUUID())).toEqual([]);
      });
    });
  });
}

// ---------------------------------------------------------------- private helpers

const WORKER = "conformance-worker";
const LONG_LEASE = 30_000;
const BOOM: SerializedError = { name: "Error", message: "boom" };
const LEASE_LOST = { ok: false, reason: "lease_lost" } as const;

/** One test's coordinator, plus what it created so the test can clean up after itself. */
class Harness {
  /** Unique per test, so listRuns never sees another test's runs. */
  readonly workflow = `conformance-${randomUUID()}`;
  private readonly runIds: string[] = [];
  private readonly unsubscribes: (() => void)[] = [];

  constructor(readonly c: Coordinator) {}

  createRun(runGraph: RunGraph, overrides: Partial<CreateRunRequest> = {}): Promise<CreateRunResult> {
    const request: CreateRunRequest = {
      id: randomUUID(),
      workflow: this.workflow,
      version: "1",
      namespace: "default",
      input: { n: 1 },
      graph: runGraph,
      ...overrides,
    };
    this.runIds.push(request.id);
    return this.c.createRun(request);
  }

  async newRun(runGraph: RunGraph, overrides: Partial<CreateRunRequest> = {}): Promise<RunRecord> {
    const result = await this.createRun(runGraph, overrides);
    expect(result.created).toBe(true);
    return this.get(result.run.id);
  }

  async get(runId: string): Promise<RunRecord> {
    const run = await this.c.getRun(runId);
    if (run === undefined) throw new Error(`getRun("${runId}") returned undefined`);
    return run;
  }

  /** One claim call; checks the batch size and keeps this run's tasks. */
  async claim(runId: string, max = 10, leaseMs = LONG_LEASE): Promise<ClaimedTask[]> {
    const batch = await this.c.claim({ workerId: WORKER, max, leaseMs });
    expect(batch.length).toBeLessThanOrEqual(max);
    return batch.filter((t) => t.runId === runId);
  }

  claimAll(runId: string): Promise<ClaimedTask[]> {
    return claimAll(this.c, { runId, workerId: WORKER, leaseMs: LONG_LEASE });
  }

  /** Polls single-task claims until one of this run's tasks comes out. */
  claimOne(runId: string, options: { timeoutMs?: number; intervalMs?: number } = {}): Promise<ClaimedTask> {
    return waitFor(async () => (await this.claim(runId, 1))[0], {
      timeoutMs: options.timeoutMs ?? 1000,
      intervalMs: options.intervalMs ?? 20,
      what: `a claimable task of run ${runId}`,
    });
  }

  listen(): CoordinatorSignal[] {
    const signals: CoordinatorSignal[] = [];
    this.unsubscribes.push(this.c.subscribe((signal) => signals.push(signal)));
    return signals;
  }

  waitForSignal(
    signals: CoordinatorSignal[],
    match: (s: CoordinatorSignal) => boolean,
  ): Promise<CoordinatorSignal> {
    return waitFor(() => signals.find(match), { timeoutMs: 1000, what: "a matching signal" });
  }

  /** Cancels this test's unfinished runs so their tasks never reach another test's claims, then closes. */
  async dispose(): Promise<void> {
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    try {
      for (const runId of this.runIds) {
        await this.c
          .finishRun(runId, { status: "cancelled", reason: "conformance cleanup" })
          .catch(() => undefined);
      }
    } finally {
      await this.c.close();
    }
  }
}

function lease(t: LeaseRef): LeaseRef {
  return { runId: t.runId, task: t.task, token: t.token };
}

function taskOf(run: RunRecord, name: string): TaskRecord {
  const record = run.tasks[name];
  if (record === undefined) throw new Error(`run ${run.id} has no task "${name}"`);
  return record;
}

function named(tasks: readonly ClaimedTask[], name: string): ClaimedTask {
  const found = tasks.find((t) => t.task === name);
  if (found === undefined)
    throw new Error(`task "${name}" was not claimed (got ${tasks.map((t) => t.task).join(", ")})`);
  return found;
}

function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`no item at index ${index}`);
  return item;
}

function id(event: RunEvent | undefined): string {
  if (event === undefined) throw new Error("missing event");
  return event.id;
}

/** Turns a synchronous throw into a rejection, so either form of refusal is caught. */
function settle<T>(fn: () => Promise<T>): Promise<T> {
  return Promise.resolve().then(fn);
}
