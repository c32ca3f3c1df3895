import { createFlowMesh, type FlowMesh } from "@flowmesh/core";
import { sleep, TcpProxy, waitFor } from "@flowmesh/core/testing";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { RedisCoordinator } from "../src/index.js";
import { deletePrefix, quietLogger, REDIS_URL, requireRedis, uniquePrefix } from "./helpers.js";

await requireRedis();
const prefixes: string[] = [];
const engines: FlowMesh[] = [];
const proxies: TcpProxy[] = [];
afterEach(async () => {
  for (const fm of engines.splice(0)) await fm.close();
  for (const proxy of proxies.splice(0)) await proxy.close();
});
afterAll(async () => {
  for (const prefix of prefixes) await deletePrefix(prefix);
});

/** A promise that resolves once `open()` is called. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

function pair(url = REDIS_URL): {
  worker: FlowMesh;
  api: FlowMesh;
  backend: RedisCoordinator;
  apiBackend: RedisCoordinator;
} {
  const prefix = uniquePrefix("wakeup");
  prefixes.push(prefix);
  // No safety wake-up and a slow sweep: anything that happens comes from a signal.
  const backend = new RedisCoordinator({ url, keyPrefix: prefix, idleWakeMs: 0, logger: quietLogger() });
  const worker = createFlowMesh({ backend, logger: quietLogger(), sweepInterval: "1h" });
  const apiBackend = new RedisCoordinator({ url: REDIS_URL, keyPrefix: prefix, logger: quietLogger() });
  const api = createFlowMesh({ backend: apiBackend, worker: false, logger: quietLogger() });
  engines.push(worker, api);
  return { worker, api, backend, apiBackend };
}

describe("blocking for work", () => {
  it("makes no claim while idle and wakes at once, through pub/sub, when another process starts a run", async () => {
    const { worker, api, backend } = pair();
    const ran: number[] = [];
    for (const fm of [worker, api]) {
      await fm.register({ name: "wake", tasks: [{ name: "t", handler: () => ran.push(performance.now()) }] });
    }
    await worker.ready();
    await api.ready();
    await sleep(300);
    const claims = vi.spyOn(backend, "claim");
    await sleep(1000);
    expect(claims).not.toHaveBeenCalled();

    const startedAt = performance.now();
    const handle = await api.start("wake");
    await handle.wait();
    const latency = ran[0]! - startedAt;
    console.log(`[wakeup] start in another engine → task running: ${latency.toFixed(1)} ms`);
    expect(latency).toBeLessThan(1000);
    expect(claims).toHaveBeenCalled();
  });

  it("hands a waiter on another engine the result with the run's end; a large result is read", async () => {
    const { worker, api, apiBackend } = pair();
    // The task ends only after the waiter's first read, so that read finds the run unfinished.
    let firstRead = gate();
    const read = apiBackend.getResult.bind(apiBackend);
    const reads = vi.spyOn(apiBackend, "getResult").mockImplementation(async (runId) => {
      const result = await read(runId);
      firstRead.open();
      return result;
    });
    for (const fm of [worker, api]) {
      await fm.register({
        name: "sized",
        tasks: [
          {
            name: "t",
            handler: async (ctx) => {
              await firstRead.promise;
              return "x".repeat((ctx.input as { size: number }).size);
            },
          },
        ],
      });
    }
    await worker.ready();
    await api.ready();
    // Small: the waiter's first read (which marks the run awaited) is its only one.
    expect(await (await api.start("sized", { size: 10 })).result()).toEqual({ t: "x".repeat(10) });
    expect(reads).toHaveBeenCalledTimes(1);
    // Over the 4 KiB a message carries: the end comes without it, and the waiter reads it.
    reads.mockClear();
    firstRead = gate();
    expect(await (await api.start("sized", { size: 5000 })).result()).toEqual({ t: "x".repeat(5000) });
    expect(reads).toHaveBeenCalledTimes(2);
  });

  it("wakes when a delayed retry falls due, without polling", async () => {
    const { worker, api } = pair();
    const attempts: number[] = [];
    const definition = {
      name: "later",
      tasks: [
        {
          name: "t",
          retry: { maxRetries: 1, baseDelay: 0.4, jitter: false },
          handler: () => {
            attempts.push(performance.now());
            if (attempts.length === 1) throw new Error("first attempt fails");
            return "ok";
          },
        },
      ],
    };
    await worker.register(definition);
    await api.register(definition);
    await worker.ready();
    const run = await (await api.start("later")).wait();
    expect(run.status).toBe("succeeded");
    const gap = attempts[1]! - attempts[0]!;
    console.log(`[wakeup] retry due after 400 ms ran after ${gap.toFixed(1)} ms`);
    expect(gap).toBeGreaterThanOrEqual(380);
    expect(gap).toBeLessThan(2000);
  });
});

describe("cancellation", () => {
  it("aborts a running attempt on another engine as soon as the run is cancelled, well within a heartbeat", async () => {
    const { worker, api } = pair();
    let started = 0;
    let aborted = 0;
    const definition = {
      name: "long",
      tasks: [
        {
          name: "t",
          handler: (ctx: { signal: AbortSignal }) =>
            new Promise((_, reject) => {
              started = performance.now();
              ctx.signal.addEventListener("abort", () => {
                aborted = performance.now();
                reject(ctx.signal.reason as Error);
              });
            }),
        },
      ],
    };
    await worker.register(definition);
    await api.register(definition);
    await worker.ready();
    const handle = await api.start("long");
    await waitFor(() => (started > 0 ? true : undefined), { timeoutMs: 5000, what: "the task to start" });
    const cancelledAt = performance.now();
    expect((await api.cancel(handle.id, "stop")).status).toBe("cancelled");
    await waitFor(() => (aborted > 0 ? true : undefined), {
      timeoutMs: 5000,
      what: "the attempt to be aborted",
    });
    const latency = aborted - cancelledAt;
    console.log(`[wakeup] cancel in one engine → attempt aborted in another: ${latency.toFixed(1)} ms`);
    // The default lease is 30 s, so a heartbeat comes every 10 s: this is the pub/sub signal.
    expect(latency).toBeLessThan(2000);
  });
});

describe("connection loss", () => {
  it("reports unhealthy while Redis is unreachable, then resumes and runs the work queued meanwhile", async () => {
    const proxy = new TcpProxy(6379);
    proxies.push(proxy);
    await proxy.start();
    const { worker, api } = pair(`redis://${proxy.address}`);
    for (const fm of [worker, api]) {
      await fm.register({ name: "queued", tasks: [{ name: "t", handler: (ctx) => ctx.input }] });
    }
    await worker.ready();
    expect(await worker.health()).toMatchObject({ backend: "redis", healthy: true });

    await proxy.cut();
    const sick = await waitFor(
      async () => {
        const health = await worker.health();
        return health.healthy ? undefined : health;
      },
      { timeoutMs: 10_000, what: "the worker to report unhealthy" },
    );
    expect(sick.detail).toMatch(/redis|connection/i);
    const handle = await api.start("queued", 7);
    await sleep(500);
    expect((await api.getRun(handle.id))?.status).toBe("pending");

    await proxy.restore();
    const run = await handle.wait();
    expect(run.status).toBe("succeeded");
    expect(run.tasks.t?.output).toBe(7);
    await waitFor(async () => ((await worker.health()).healthy ? true : undefined), {
      timeoutMs: 10_000,
      what: "the worker to report healthy again",
    });
  });
});
