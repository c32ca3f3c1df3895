/** Rate limits through real HTTP: two API servers sharing Redis enforce one limit. */
import { randomUUID } from "node:crypto";
import { definePlugin } from "@flowmesh/core";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auth } from "../src/index.js";
import { bodyOf, UNAUTHENTICATED, useServers, type Served } from "./support.js";

const prefix = `fm-test:auth-http:${randomUUID()}:`;
const KEY = "rate-limited-key-0123456789abcdef";
const ADMIN_KEY = "rate-limited-admin-0123456789abcd";
const C = 10;
const clients: Redis[] = [];

/** Provides the `redis` capability the way the Redis plugin does. */
const sharedRedis = definePlugin({
  name: "test-shared-redis",
  setup(ctx) {
    ctx.provide("redis", { client: clients[1]!, keyPrefix: prefix });
  },
});

const serve = useServers();
const keys = {
  [KEY]: { user: "alice", roles: ["viewer"], namespaces: ["acme"] },
  [ADMIN_KEY]: { user: "root", roles: ["viewer", "admin"], namespaces: "*" as const },
};
const rateLimit = { requestsPerMinute: C, roles: { admin: 1000 }, anonymousRequestsPerMinute: 3 };
let a: Served;
let b: Served;

beforeAll(async () => {
  for (let i = 0; i < 2; i++) {
    const client = new Redis({ host: "127.0.0.1", port: 6379, lazyConnect: true, maxRetriesPerRequest: 1 });
    clients.push(client);
    // Redis runs on every development and CI machine: a missing one fails the suite, never skips it.
    await client.connect();
  }
  // Server A gets the client as an option; server B through the `redis` capability.
  a = await serve([auth({ apiKeys: keys, rateLimit, redis: clients[0]!, redisKeyPrefix: prefix })]);
  b = await serve([sharedRedis(), auth({ apiKeys: keys, rateLimit: { ...rateLimit, store: "redis" } })]);
});

afterAll(async () => {
  const found = await clients[0]!.keys(`${prefix}*`);
  if (found.length > 0) await clients[0]!.del(...found);
  for (const client of clients) client.disconnect();
});

describe("rate limits over HTTP", () => {
  it(`lets exactly C of C+10 requests through two servers sharing Redis`, async () => {
    const responses: Response[] = [];
    for (let i = 0; i < C + 10; i++) {
      const served = i % 2 === 0 ? a : b;
      responses.push(await served.call("GET", "/workflows", { headers: { authorization: `Bearer ${KEY}` } }));
    }
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    expect(statuses.filter((s) => s === 200)).toHaveLength(C);
    // The first C pass, then every request is refused: one bucket, not one per server.
    expect(statuses.slice(0, C).every((s) => s === 200)).toBe(true);

    const first = responses[0]!;
    expect(first.headers.get("ratelimit-policy")).toBe(`"principal";q=${C};w=60`);
    expect(first.headers.get("ratelimit")).toMatch(new RegExp(`^"principal";r=${C - 1};t=\\d+$`));
    expect(responses[C - 1]!.headers.get("ratelimit")).toMatch(/^"principal";r=0;t=\d+$/);

    for (const refused of responses.slice(C)) {
      // 10 per minute: a token every 6 s.
      const retryAfter = Number(refused.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(6);
      expect(refused.headers.get("ratelimit-policy")).toBe(`"principal";q=${C};w=60`);
      expect(refused.headers.get("ratelimit")).toBe(`"principal";r=0;t=${retryAfter}`);
      expect(await refused.json()).toEqual({
        error: {
          code: "FM_ERR_RATE_LIMITED",
          message: `rate limited: retry after ${retryAfter} s`,
          details: { retryAfterSeconds: retryAfter },
        },
      });
    }
    for (const response of responses.slice(0, C)) await response.text();
    // Buckets are named by principal, never by key.
    const stored = await clients[0]!.keys(`${prefix}*`);
    expect(stored).toContain(`${prefix}auth:rl:principal:api-key:alice`);
    expect(stored.join()).not.toContain(KEY);
  });

  it("gives a principal the highest limit of its roles", async () => {
    const response = await a.call("GET", "/workflows", { headers: { "x-api-key": ADMIN_KEY } });
    expect(response.status).toBe(200);
    expect(response.headers.get("ratelimit-policy")).toBe('"principal";q=1000;w=60');
  });

  it("counts requests without valid credentials per client IP, before authentication", async () => {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 5; i++) {
      last = await (i % 2 === 0 ? a : b).call("GET", "/runs", {
        headers: { "x-api-key": `wrong-key-${i}-padding` },
      });
      statuses.push(last.status);
      if (last.status === 401) expect(await bodyOf(last)).toEqual(UNAUTHENTICATED);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    expect(last!.headers.get("ratelimit-policy")).toBe('"ip";q=3;w=60');
    await last!.text();
  });
});

describe("rate limits in memory", () => {
  it("applies per principal in one process", async () => {
    const served = await serve([
      auth({ apiKeys: keys, rateLimit: { requestsPerMinute: 2, store: "memory" } }),
    ]);
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      const response = await served.call("GET", "/workflows", { headers: { "x-api-key": KEY } });
      statuses.push(response.status);
      await response.text();
    }
    expect(statuses).toEqual([200, 200, 429, 429]);
  });
});
