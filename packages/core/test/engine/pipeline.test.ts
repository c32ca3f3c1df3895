/**
 * The worker's pipelined async path (Redis, Postgres, any coordinator without
 * sync ops): slots free when the handler settles while outcomes are reported in
 * the background (bounded), and a small buffer of claimed tasks is kept
 * heartbeated, handed back on close and dropped for cancelled runs.
 */
import { describe, expect, it } from "vitest";
import { MemoryCoordinator } from "../../src/index.js";
import type { FlowMesh } from "../../src/index.js";
import { deferred, sleep, until, useEngines } from "../support/engine.js";
import { SlowCoordinator } from "../support/slow-coordinator.js";
import { within } from "../support/within.js";

const engine = useEngines();

/** Handler activity: how many run at once, the most ever, and how many started. */
class Activity {
  running = 0;
  max = 0;
  started = 0;
  enter(): void {
    this.running++;
    this.started++;
    this.max = Math.max(this.max, this.running);
  }
  leave(): void {
    this.running--;
  }
}

/** Counts the runs an engine finished. */
function finishedRuns(fm: FlowMesh): () => number {
  let done = 0;
  fm.events.on("run:finished", () => done++);
  return () => done;
}

/** Starts `count` runs of `workflow` at once and waits until they finished. */
async function startAndFinish(
  fm: FlowMesh,
  workflow: string,
  count: number,
  finished: () => number,
): Promise<void> {
  const target = finished() + count;
  await Promise.all(Array.from({ length: count }, (_, i) => fm.start(workflow, i)));
  await until(() => finished() >= target, `${count} ${workflow} runs to finish`, 20_000);
}

async function startMany(fm: FlowMesh, count: number, workflow = "job"): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await fm.start(workflow, i)).id);
  return ids;
}

describe("pipelined worker (async coordinators)", () => {
  it("reuses a slot before the previous completion is acknowledged, never running more than `concurrency` handlers", async () => {
    const slow = new SlowCoordinator(new MemoryCoordinator());
    const fm = engine({ backend: slow, concurrency: 2 });
    const activity = new Activity();
    let startedWhileReporting = 0;
    await fm.register({
      name: "job",
      tasks: [
        {
          name: "t",
          handler: async () => {
            activity.enter();
            if (slow.completesOutstanding > 0) startedWhileReporting++;
            await sleep(1);
            activity.leave();
            return 1;
          },
        },
      ],
    });
    // Acknowledgements are held: with the old loop only 2 handlers could ever start.
    slow.hold();
    const ids = await startMany(fm, 12);
    await until(() => activity.started >= 4, "handlers to start while completions are held", 3000);
    expect(slow.completesOutstanding).toBeGreaterThanOrEqual(2);
    expect(startedWhileReporting).toBeGreaterThan(0);
    slow.open();
    for (const id of ids) expect((await fm.handle(id).wait()).status).toBe("succeeded");
    expect(activity.max).toBeLessThanOrEqual(2);
    expect(activity.started).toBe(12);
  });

  it.each([
    { bound: "2 × concurrency, prefetch below it", concurrency: 2, prefetch: 1, runs: 10, freed: 4 },
    { bound: "2 × prefetch, above concurrency", concurrency: 2, prefetch: 6, runs: 18, freed: 12 },
    {
      bound: "prefetch + 256 at most, for a large prefetch",
      concurrency: 1,
      prefetch: 300,
      runs: 600,
      freed: 556,
    },
  ])(
    "bounds the reports outstanding ($bound): past it, finished attempts keep their slot and new starts wait",
    async ({ concurrency, prefetch, runs, freed }) => {
      const slow = new SlowCoordinator(new MemoryCoordinator());
      const fm = engine({ backend: slow, concurrency, worker: { prefetch } });
      let started = 0;
      await fm.register({ name: "job", tasks: [{ name: "t", handler: () => ++started }] });
      slow.hold();
      const ids = await startMany(fm, runs);
      // `freed` reports with their slot freed, then every slot held by an attempt waiting for its own report.
      const outstanding = freed + concurrency;
      await until(
        () => slow.completesOutstanding === outstanding,
        `${outstanding} completions outstanding`,
        5000,
      );
      await sleep(100);
      expect(slow.completesOutstanding).toBe(outstanding);
      expect(started).toBe(outstanding);
      slow.open();
      for (const id of ids) expect((await fm.handle(id).wait()).status).toBe("succeeded");
      expect(started).toBe(runs);
    },
  );

  it("heartbeats prefetched tasks: they keep their lease while they wait, and their queue wait counts the wait", async () => {
    const slow = new SlowCoordinator(new MemoryCoordinator());
    const fm = engine({
      backend: slow,
      concurrency: 1,
      lease: "150ms",
      sweepInterval: "50ms",
      worker: { prefetch: 4 },
    });
    const first = deferred();
    const waits = new Map<string, number>();
    fm.events.on("task:started", ({ runId, queueWaitMs }) => waits.set(runId, queueWaitMs));
    const attempts: number[] = [];
    await fm.register({
      name: "job",
      tasks: [
        {
          name: "t",
          handler: async (ctx) => {
            attempts.push(ctx.attempt);
            if (ctx.input === 0) await first.promise;
            return 1;
          },
        },
      ],
    });
    const [blocker, a, b] = await startMany(fm, 3);
    await until(() => slow.claimed.some((t) => t.runId === b), "the later runs to be claimed ahead", 3000);
    // Several lease periods: without heartbeats the sweep would recover them and run them again.
    await sleep(500);
    const beaten = new Set(slow.heartbeats.flat().map((lease) => lease.runId));
    expect(beaten.has(a!)).toBe(true);
    expect(beaten.has(b!)).toBe(true);
    first.resolve();
    for (const id of [blocker!, a!, b!]) {
      const run = await fm.handle(id).wait();
      expect(run.status).toBe("succeeded");
      expect(run.tasks.t?.attempts).toBe(1);
    }
    expect(attempts).toEqual([1, 1, 1]);
    expect(waits.get(b!)).toBeGreaterThanOrEqual(400);
  });

  it("hands buffered tasks back on close, their attempt refunded, and another engine runs them at once", async () => {
    const shared = new MemoryCoordinator();
    const slow = new SlowCoordinator(shared);
    // A long lease: only the hand-back can let B run the tasks within the test.
    const a = engine({
      backend: slow,
      concurrency: 1,
      lease: "30s",
      sweepInterval: "1h",
      worker: { prefetch: 4 },
    });
    const b = engine({ backend: shared, lease: "30s" });
    const release = deferred();
    const ranOnA: unknown[] = [];
    await a.register({
      name: "job",
      tasks: [
        {
          name: "t",
          handler: async (ctx) => {
            ranOnA.push(ctx.input);
            if (ctx.input === 0) await release.promise;
            return "A";
          },
        },
      ],
    });
    await b.register({ name: "job", tasks: [{ name: "t", handler: () => "B" }] });
    const [blocker, ...rest] = await startMany(a, 4);
    // The blocker runs; the buffer fills to its low-water mark (2 of 4) and A stops claiming.
    await until(() => slow.claimed.length >= 3, "A to claim runs ahead", 3000);
    await sleep(20);
    const buffered = slow.claimed.slice(1).map((task) => task.runId);
    expect(buffered.length).toBeGreaterThanOrEqual(2);
    const closing = a.close();
    await until(() => slow.fails.length === buffered.length, "A to hand its buffered tasks back", 3000);
    for (const { lease, request } of slow.fails) {
      expect(buffered).toContain(lease.runId);
      expect(request).toMatchObject({ refundAttempt: true, retryDelayMs: 0 });
    }
    release.resolve();
    await closing;
    expect(ranOnA).toEqual([0]);
    await b.ready();
    for (const id of rest) {
      const run = await b.handle(id).wait();
      expect(run.status).toBe("succeeded");
      expect(run.tasks.t).toMatchObject({ status: "succeeded", attempts: 1, output: "B" });
    }
    expect((await shared.getRun(blocker!))?.tasks.t).toMatchObject({ status: "succeeded", output: "A" });
  });

  it("never starts a buffered task of a run cancelled meanwhile", async () => {
    const slow = new SlowCoordinator(new MemoryCoordinator());
    const fm = engine({ backend: slow, concurrency: 1, worker: { prefetch: 4 } });
    const release = deferred();
    const ran: unknown[] = [];
    await fm.register({
      name: "job",
      tasks: [
        {
          name: "t",
          handler: async (ctx) => {
            ran.push(ctx.input);
            if (ctx.input === 0) await release.promise;
            return 1;
          },
        },
      ],
    });
    const [blocker, cancelled, after] = await startMany(fm, 3);
    await until(() => slow.claimed.some((t) => t.runId === cancelled), "the run to be claimed ahead", 3000);
    expect((await fm.cancel(cancelled!)).status).toBe("cancelled");
    release.resolve();
    expect((await fm.handle(blocker!).wait()).status).toBe("succeeded");
    expect((await fm.handle(after!).wait()).status).toBe("succeeded");
    await sleep(50);
    expect(ran).toEqual([0, 2]);
    expect((await fm.getRun(cancelled!))?.status).toBe("cancelled");
  });

  it("keeps two claims in flight, never holding more tasks than the slots and the prefetch buffer", async () => {
    const slow = new SlowCoordinator(new MemoryCoordinator(), 5);
    const fm = engine({ backend: slow, concurrency: 4, worker: { prefetch: 4 } });
    await fm.register({
      name: "job",
      tasks: [{ name: "t", handler: () => sleep(2).then(() => 1) }],
    });
    const ids = (await Promise.all(Array.from({ length: 60 }, (_, i) => fm.start("job", i)))).map(
      (h) => h.id,
    );
    for (const id of ids) expect((await fm.handle(id).wait()).status).toBe("succeeded");
    // Claimed and not yet reported: 4 running + 4 buffered at most, whatever the claims in flight bring.
    expect(slow.maxClaimsOutstanding).toBe(2);
    expect(slow.maxHeld).toBeLessThanOrEqual(8);
    expect(slow.maxHeld).toBeGreaterThanOrEqual(5);
  });

  it("by default claims further ahead for quick tasks on a slow round trip, and only the floor for slow tasks", async () => {
    const quick = new SlowCoordinator(new MemoryCoordinator(), 10);
    const fm = engine({ backend: quick, concurrency: 2 });
    await fm.register({ name: "job", tasks: [{ name: "t", handler: () => 1 }] });
    await startAndFinish(fm, "job", 800, finishedRuns(fm));
    // The floor is min(4 × 2, 32) = 8: 2 running + 8 buffered. Instant tasks on a 10 ms round trip want more.
    expect(quick.maxHeld).toBeGreaterThan(20);
    expect(quick.maxHeld).toBeLessThanOrEqual(2 + 256);

    const slow = new SlowCoordinator(new MemoryCoordinator(), 10);
    const fm2 = engine({ backend: slow, concurrency: 2 });
    await fm2.register({ name: "job", tasks: [{ name: "t", handler: () => sleep(20).then(() => 1) }] });
    await startAndFinish(fm2, "job", 40, finishedRuns(fm2));
    // 2 tasks per 20 ms on a 10 ms round trip: two round trips' worth is 2 tasks, under the floor.
    expect(slow.maxHeld).toBeLessThanOrEqual(10);
  }, 30_000);

  it("when quick tasks turn slow, the grown buffer shrinks within a second or two and hands back its surplus", async () => {
    const slow = new SlowCoordinator(new MemoryCoordinator(), 10);
    const fm = engine({ backend: slow, concurrency: 2, lease: "30s" });
    await fm.register({ name: "quick", tasks: [{ name: "t", handler: () => 1 }] });
    await fm.register({ name: "slow", tasks: [{ name: "t", handler: () => sleep(50).then(() => 1) }] });
    const finished = finishedRuns(fm);
    await startAndFinish(fm, "quick", 800, finished);
    expect(slow.maxHeld).toBeGreaterThan(40);
    await Promise.all(Array.from({ length: 300 }, (_, i) => fm.start("slow", i)));
    await until(() => slow.held > 60, "the slow runs to be claimed ahead", 3000);
    const shrinking = performance.now();
    // 2 tasks per 50 ms want the floor (8): what the buffer holds beyond twice its size goes back.
    const handedBack = () => slow.fails.filter((f) => f.request.error.code === "FM_ERR_HANDED_BACK");
    await until(() => handedBack().length > 0, "the surplus to be handed back", 3000);
    for (const { request } of handedBack()) {
      expect(request).toMatchObject({ refundAttempt: true, retryDelayMs: 0 });
    }
    await until(() => slow.held <= 2 + 2 * 8 + 4, "the buffer to shrink to the floor", 3000);
    // Far sooner than the buffer would drain by running (60+ tasks at 40 a second).
    expect(performance.now() - shrinking).toBeLessThan(2500);
    expect(finished()).toBeLessThan(800 + 150);
  }, 30_000);

  it("after a claim comes back short, claims again only with an outcome or on a work signal", async () => {
    const slow = new SlowCoordinator(new MemoryCoordinator());
    const fm = engine({ backend: slow, concurrency: 1 });
    await fm.register({ name: "job", tasks: [{ name: "t", handler: async () => 1 }] });
    await fm.ready();
    await sleep(20);
    const before = slow.count("claim");
    const runs = 20;
    for (let i = 0; i < runs; i++) expect((await (await fm.start("job", i)).result()).t).toBe(1);
    await sleep(20);
    // Per run: the claim the run's work signal starts, and the one its completion rides with. Claims
    // that nothing could answer (topping up the buffer, after each slot frees) would double that.
    expect(slow.count("claim") - before).toBeLessThanOrEqual(2 * runs + 2);
    // Work that arrives while the worker is drained still runs at once.
    const late = await fm.start("job", "late");
    expect((await late.result()).t).toBe(1);
  });

  it("an idle worker takes a run's roots with its creation (eager start): no claim round trip before it starts", async () => {
    const slow = new SlowCoordinator(new MemoryCoordinator());
    const fm = engine({ backend: slow, concurrency: 2 });
    await fm.register({ name: "job", tasks: [{ name: "t", handler: async (ctx) => ctx.input }] });
    await fm.ready();
    await sleep(20);
    const before = slow.count("claim");
    const runs = 10;
    for (let i = 0; i < runs; i++) expect((await (await fm.start("job", i)).result()).t).toBe(i);
    await sleep(20);
    // Every run asked for its one root, got it leased, and ran it without a claim of its own: the only
    // claims are those riding along with outcome reports (half what the run's work signal added before).
    expect(slow.createClaims.slice(-runs)).toEqual(Array(runs).fill(1));
    expect(slow.eagerClaimed).toHaveLength(runs);
    expect(slow.count("claim") - before).toBeLessThanOrEqual(runs + 1);
  });

  it("a busy worker, or one with work queued, leaves a new run's roots to the queue", async () => {
    const slow = new SlowCoordinator(new MemoryCoordinator());
    const fm = engine({ backend: slow, concurrency: 1 });
    const release = deferred();
    await fm.register({
      name: "job",
      tasks: [
        { name: "t", handler: async (ctx) => (ctx.input === 0 ? release.promise.then(() => 0) : ctx.input) },
      ],
    });
    await fm.ready();
    await sleep(20);
    const blocker = await fm.start("job", 0);
    expect(slow.createClaims.at(-1)).toBe(1);
    await until(() => slow.held === 1, "the blocker to run", 3000);
    // The one slot is taken: the next runs are queued, and claimed once the slot frees.
    const queued = await startMany(fm, 3);
    expect(slow.createClaims.slice(-3)).toEqual([undefined, undefined, undefined]);
    release.resolve();
    expect((await blocker.wait()).status).toBe("succeeded");
    for (const id of queued) expect((await fm.handle(id).wait()).status).toBe("succeeded");
    expect(slow.eagerClaimed).toHaveLength(1);
  });

  it("hands back the roots an eager start leased when the worker stopped meanwhile: another engine runs them at once", async () => {
    const shared = new MemoryCoordinator();
    const slow = new SlowCoordinator(shared, 2);
    slow.createDelayMs = 150;
    const a = engine({ backend: slow, concurrency: 1, lease: "30s", sweepInterval: "1h" });
    await a.register({ name: "job", tasks: [{ name: "t", handler: () => "A" }] });
    await a.ready();
    await sleep(80);
    const starting = a.start("job", 1);
    await sleep(20);
    expect(slow.createClaims.at(-1)).toBe(1);
    // A's worker stops while the creation (and its lease) is on the way: close() waits for it and hands
    // the root back before it resolves (the backend would be closed after).
    await a.close();
    expect(slow.fails).toHaveLength(1);
    const handle = await starting.catch(() => undefined);
    expect(slow.fails[0]!.request).toMatchObject({ refundAttempt: true, retryDelayMs: 0 });
    const runId = slow.fails[0]!.lease.runId;
    if (handle !== undefined) expect(handle.id).toBe(runId);
    const c = engine({ backend: shared, lease: "30s" });
    await c.register({ name: "job", tasks: [{ name: "t", handler: () => "C" }] });
    await c.ready();
    const result = await c.handle(runId).result();
    expect(result).toEqual({ t: "C" });
    const run = await c.getRun(runId);
    expect(run?.tasks.t?.attempts).toBe(1);
  });

  it("never starts the eagerly leased roots of a run cancelled while its creation was on the way", async () => {
    const slow = new SlowCoordinator(new MemoryCoordinator());
    const fm = engine({ backend: slow, concurrency: 2 });
    let ran = 0;
    await fm.register({ name: "job", tasks: [{ name: "t", handler: () => ++ran }] });
    await fm.ready();
    await sleep(20);
    slow.afterCreate = async (result) => {
      expect(result.claimed).toHaveLength(1);
      await fm.cancel(result.run.id);
    };
    const handle = await fm.start("job", 1);
    expect((await handle.wait()).status).toBe("cancelled");
    await sleep(30);
    expect(ran).toBe(0);
  });

  it("claims at once when a backend leased nothing for an eager start that held back the claim", async () => {
    const slow = new SlowCoordinator(new MemoryCoordinator(), 10);
    // Declares eager start but leases nothing; with no prefetch, the slot reserved for the start is
    // what keeps the claim its work signal asks for from going out while the creation is on the way.
    slow.ignoreClaims = true;
    const fm = engine({ backend: slow, concurrency: 1, worker: { prefetch: 0 } });
    await fm.register({ name: "job", tasks: [{ name: "t", handler: (ctx) => ctx.input }] });
    await fm.ready();
    await sleep(30);
    const started = performance.now();
    expect(await within((await fm.start("job", 7)).result(), 1000, "the run")).toEqual({ t: 7 });
    expect(performance.now() - started).toBeLessThan(500);
  });

  it("re-sizes and trims a grown buffer while every slot is busy with a long task", async () => {
    const slow = new SlowCoordinator(new MemoryCoordinator(), 10);
    const fm = engine({ backend: slow, concurrency: 2, lease: "30s" });
    await fm.register({ name: "quick", tasks: [{ name: "t", handler: () => 1 }] });
    const release = deferred();
    await fm.register({ name: "long", tasks: [{ name: "t", handler: () => release.promise.then(() => 1) }] });
    await startAndFinish(fm, "quick", 800, finishedRuns(fm));
    await Promise.all(Array.from({ length: 200 }, (_, i) => fm.start("long", i)));
    await until(() => slow.held > 60, "the long runs to be claimed ahead", 3000);
    // Nothing starts and no claim goes out: only the buffer's own timer can notice it is too big.
    await until(() => slow.held <= 2 + 2 * 8 + 4, "the buffer to shrink while the slots are busy", 4000);
    expect(slow.fails.length).toBeGreaterThan(40);
    release.resolve();
  }, 30_000);

  it("releases result() with the result that came with the outcome ending the run: no read after the end", async () => {
    const slow = new SlowCoordinator(new MemoryCoordinator());
    slow.resultWithOutcome = true;
    const fm = engine({ backend: slow, concurrency: 2 });
    await fm.register({ name: "job", tasks: [{ name: "t", handler: async (ctx) => ctx.input }] });
    for (let i = 0; i < 5; i++) {
      const reads = slow.count("getResult");
      const handle = await fm.start("job", i);
      expect(await handle.result()).toEqual({ t: i });
      // One read when result() is called (the run is not over yet), none once it ends.
      expect(slow.count("getResult") - reads).toBe(1);
    }
  });

  it("result() right after start() reads once: the end reuses the read in flight, or the result it brought", async () => {
    const slow = new SlowCoordinator(new MemoryCoordinator());
    const fm = engine({ backend: slow, concurrency: 2 });
    await fm.register({ name: "job", tasks: [{ name: "t", handler: async (ctx) => ctx.input }] });
    await fm.ready();
    await sleep(20);
    for (let i = 0; i < 10; i++) {
      const reads = slow.count("getResult");
      expect(await (await fm.start("job", i)).result()).toEqual({ t: i });
      // The read result() sends sees the run end (or is answered after it): no second read for the end.
      expect(slow.count("getResult") - reads).toBe(1);
    }
  });

  it("drops the tasks of a run cancelled while the claim that took them was in flight, not of a run claimed after", async () => {
    const slow = new SlowCoordinator(new MemoryCoordinator());
    const fm = engine({ backend: slow, concurrency: 2, worker: { prefetch: 0 } });
    const ran: unknown[] = [];
    await fm.register({
      name: "job",
      tasks: [{ name: "t", handler: (ctx) => void ran.push(ctx.input) }],
    });
    slow.holdClaims();
    const [cancelled] = await startMany(fm, 1);
    // The backend handed the task out; its answer is still on the way when the run is cancelled.
    await until(() => slow.claimed.some((t) => t.runId === cancelled), "the run to be claimed", 3000);
    expect((await fm.cancel(cancelled!)).status).toBe("cancelled");
    slow.openClaims();
    // Re-opened after the cancel: claims sent from now on must run it.
    const retried = await fm.retry(cancelled!);
    expect((await retried.wait()).status).toBe("succeeded");
    const [later] = await startMany(fm, 1);
    expect((await fm.handle(later!).wait()).status).toBe("succeeded");
    // Attempt 1 (claimed before the cancel) never ran; the retry's attempt and the later run did.
    expect(ran).toEqual([0, 0]);
  });

  it("close() waits for the outcomes still being reported in the background", async () => {
    const shared = new MemoryCoordinator();
    const slow = new SlowCoordinator(shared);
    const fm = engine({ backend: slow, concurrency: 2 });
    await fm.register({ name: "job", tasks: [{ name: "t", handler: () => 1 }] });
    slow.hold();
    const ids = await startMany(fm, 3);
    await until(() => slow.completesOutstanding === 3, "3 completions outstanding", 3000);
    let closed = false;
    const closing = fm.close().then(() => (closed = true));
    await sleep(50);
    expect(closed).toBe(false);
    slow.open();
    await closing;
    expect(slow.completesOutstanding).toBe(0);
    for (const id of ids) expect((await shared.getRun(id))?.status).toBe("succeeded");
  });

  it("with prefetch 0 claims only for free slots", async () => {
    const slow = new SlowCoordinator(new MemoryCoordinator());
    const fm = engine({ backend: slow, concurrency: 1, worker: { prefetch: 0 } });
    const release = deferred();
    await fm.register({
      name: "job",
      tasks: [
        {
          name: "t",
          handler: async (ctx) => {
            if (ctx.input === 0) await release.promise;
            return 1;
          },
        },
      ],
    });
    const ids = await startMany(fm, 3);
    await until(() => slow.claimed.length >= 1, "the first claim", 3000);
    await sleep(50);
    expect(slow.claimed.map((t) => t.runId)).toEqual([ids[0]]);
    release.resolve();
    for (const id of ids) expect((await fm.handle(id).wait()).status).toBe("succeeded");
  });

  it("by default claims ahead four slots' worth at low concurrency (at most 32)", async () => {
    const slow = new SlowCoordinator(new MemoryCoordinator());
    const fm = engine({ backend: slow, concurrency: 2 });
    const release = deferred();
    await fm.register({
      name: "job",
      tasks: [{ name: "t", handler: async () => release.promise.then(() => 1) }],
    });
    const ids = await startMany(fm, 20);
    // 2 running + a buffer of min(4 × 2, 32) = 8, topped up once below half (the old default, 2, held at most 4).
    await until(() => slow.claimed.length >= 6, "the slots and the buffer to fill", 3000);
    await sleep(50);
    expect(slow.claimed.length).toBeGreaterThanOrEqual(6);
    expect(slow.claimed.length).toBeLessThanOrEqual(10);
    release.resolve();
    for (const id of ids) expect((await fm.handle(id).wait()).status).toBe("succeeded");
  });

  it("rejects a bad prefetch", () => {
    expect(() => engine({ worker: { prefetch: -1 } })).toThrow(/worker\.prefetch/);
  });
});
