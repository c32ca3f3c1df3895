import { createFlowMesh, definePlugin, type SharedRedis } from "@flowmesh/core";
import { chain, waitFor } from "@flowmesh/core/testing";
import { Redis } from "ioredis";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { redis, RedisCoordinator, redisCoordinator } from "../src/index.js";
import {
  deletePrefix,
  quietLogger,
  recordingLogger,
  REDIS_URL,
  requireRedis,
  uniquePrefix,
} from "./helpers.js";

await requireRedis();
const prefix = uniquePrefix("setup");
const clients: Redis[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.disconnect();
});
afterAll(() => deletePrefix(prefix));

function client(): Redis {
  const c = new Redis(REDIS_URL);
  clients.push(c);
  return c;
}

describe("options", () => {
  it("refuses bad options with a message naming the option", () => {
    expect(() => new RedisCoordinator({ url: "localhost:6379" })).toThrow(
      /\[plugin-redis\] option "url": expected a redis:\/\/ or rediss:\/\/ URL/,
    );
    expect(() => new RedisCoordinator({ keyPrefix: "" })).toThrow(/option "keyPrefix"/);
    expect(() => new RedisCoordinator({ client: {} as Redis })).toThrow(
      /option "client": expected an ioredis/,
    );
    expect(() => redisCoordinator({ idleWakeMs: -1 })).toThrow(/option "idleWakeMs"/);
  });

  it("reports the plugin's bad options when the engine starts", async () => {
    const fm = createFlowMesh({ plugins: [redis({ url: "http://example" })], logger: quietLogger() });
    await expect(fm.ready()).rejects.toMatchObject({ code: "FM_ERR_INVALID_OPTIONS" });
    await fm.close();
  });
});

describe("start-up checks", () => {
  it("warns loudly when maxmemory-policy is not noeviction", async () => {
    const shared = client();
    vi.spyOn(shared, "config").mockResolvedValue(["maxmemory-policy", "allkeys-lru"] as never);
    const { logger, warnings } = recordingLogger();
    const c = new RedisCoordinator({ client: shared, keyPrefix: prefix, logger });
    await c.start();
    expect(warnings.some((w) => /REDIS MISCONFIGURED: maxmemory-policy is "allkeys-lru"/.test(w))).toBe(true);
    await c.close();
  });

  it("says nothing when the policy is noeviction (this server), and warns when it cannot read it", async () => {
    const real = recordingLogger();
    const c = new RedisCoordinator({ url: REDIS_URL, keyPrefix: prefix, logger: real.logger });
    await c.start();
    expect(real.warnings).toEqual([]);
    await c.close();

    const shared = client();
    vi.spyOn(shared, "config").mockRejectedValue(new Error("ERR unknown command 'CONFIG'"));
    const hidden = recordingLogger();
    const d = new RedisCoordinator({ client: shared, keyPrefix: prefix, logger: hidden.logger });
    await d.start();
    expect(hidden.warnings.some((w) => /could not read maxmemory-policy/.test(w))).toBe(true);
    await d.close();
  });

  it("fails start() with FM_ERR_BACKEND when Redis cannot be reached in time", async () => {
    const c = new RedisCoordinator({
      url: "redis://127.0.0.1:1",
      keyPrefix: prefix,
      connectTimeoutMs: 300,
      logger: quietLogger(),
    });
    await expect(c.start()).rejects.toMatchObject({ code: "FM_ERR_BACKEND" });
    expect(c.health()).toMatchObject({ healthy: false });
    await c.close();
  });
});

describe("the redis() plugin", () => {
  it("provides the backend and shares its connection and key prefix through the redis capability", async () => {
    let shared: SharedRedis | undefined;
    const consumer = definePlugin({
      name: "uses-redis",
      dependencies: ["redis"],
      setup(ctx) {
        shared = ctx.use("redis");
      },
    });
    const fm = createFlowMesh({
      plugins: [redis({ url: REDIS_URL, keyPrefix: prefix }), consumer()],
      logger: quietLogger(),
    });
    await fm.register({ name: "plugged", tasks: [{ name: "t", handler: (ctx) => ({ got: ctx.input }) }] });
    const run = await (await fm.start("plugged", 5)).wait();
    expect(run.tasks.t?.output).toEqual({ got: 5 });
    expect((await fm.health()).backend).toBe("redis");
    expect(shared?.keyPrefix).toBe(`${prefix}:`);
    const sharedClient = shared?.client as Redis;
    expect(await sharedClient.hget(`${prefix}:run:{${run.id}}`, "st")).toBe("succeeded");
    await fm.close();
    // The plugin made that connection, so closing the engine closed it.
    await waitFor(() => (sharedClient.status === "end" ? true : undefined), {
      what: "the connection to close",
    });
  });

  it("uses a client passed in, and leaves it open on close", async () => {
    const own = client();
    const backend = new RedisCoordinator({ client: own, keyPrefix: prefix, logger: quietLogger() });
    const fm = createFlowMesh({ backend, logger: quietLogger() });
    await fm.register({ name: "own", tasks: [{ name: "t", handler: () => 1 }] });
    expect((await (await fm.start("own")).wait()).status).toBe("succeeded");
    await fm.close();
    expect(await own.ping()).toBe("PONG");
  });
});

describe("listRuns", () => {
  it("walks the smallest sorted-set index the filter allows, never scanning keys", async () => {
    const listPrefix = uniquePrefix("list");
    const own = client();
    const c = new RedisCoordinator({ client: own, keyPrefix: listPrefix, logger: quietLogger() });
    await c.start();
    try {
      const create = (workflow: string, i: number) =>
        c.createRun({
          id: `${workflow}-${i}`,
          workflow,
          version: "1",
          input: i,
          graph: chain("a"),
          namespace: "ns1",
        });
      for (let i = 0; i < 60; i++) await create("big", i);
      for (let i = 0; i < 3; i++) await create("small", i);
      await c.finishRun("big-1", { status: "cancelled" });
      await c.finishRun("big-2", { status: "cancelled" });
      const ranges = vi.spyOn(own, "zrevrangebyscore");
      const scans = vi.spyOn(own, "scan");
      const keys = vi.spyOn(own, "keys");

      const small = await c.listRuns({ workflow: "small" });
      expect(small.runs.map((r) => r.id)).toEqual(["small-2", "small-1", "small-0"]);
      expect(ranges.mock.calls.map((call) => call[0])).toEqual([`${listPrefix}:idx:wf:small`]);

      ranges.mockClear();
      const cancelled = await c.listRuns({ workflow: "big", status: "cancelled", namespace: "ns1" });
      expect(cancelled.runs.map((r) => r.id)).toEqual(["big-2", "big-1"]);
      expect(ranges.mock.calls.map((call) => call[0])).toEqual([`${listPrefix}:idx:st:cancelled`]);

      ranges.mockClear();
      const page = await c.listRuns({ workflow: "big", limit: 25 });
      expect(page.runs).toHaveLength(25);
      const next = await c.listRuns({ workflow: "big", limit: 50, cursor: page.nextCursor! });
      expect(next.runs).toHaveLength(35);
      expect(next.nextCursor).toBeUndefined();
      expect(new Set([...page.runs, ...next.runs].map((r) => r.id)).size).toBe(60);
      expect(scans).not.toHaveBeenCalled();
      expect(keys).not.toHaveBeenCalled();
    } finally {
      await c.close();
      await deletePrefix(listPrefix);
    }
  });
});
