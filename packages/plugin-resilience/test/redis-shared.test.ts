import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createFlowMesh, createLogger, definePlugin } from "@flowmesh/core";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  breakerSettings,
  circuitBreakerSchema,
  RedisBreaker,
  RedisBucket,
  resilience,
} from "../src/index.js";
import { deleteKeys, REDIS_URL, requireRedis, uniquePrefix } from "./redis.js";
import { sleep } from "./support.js";

await requireRedis();
const prefix = uniquePrefix();
const worker = fileURLToPath(new URL("./fixtures/limited-worker.mjs", import.meta.url));
const built = fileURLToPath(new URL("../dist/index.js", import.meta.url));

describe("shared state in Redis", { timeout: 30_000 }, () => {
  let client: Redis;
  beforeAll(() => {
    client = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await deleteKeys(client, prefix);
    client.disconnect();
  });

  const settings = (overrides: Record<string, unknown> = {}) =>
    breakerSettings(
      circuitBreakerSchema.parse({ failureThreshold: 2, recoveryTimeout: "300ms", ...overrides }),
    );

  it("shares one breaker between workers: failures seen by one open it for the other, a trial closes it for both", async () => {
    const key = `${prefix}breaker:shared`;
    const a = new RedisBreaker(client, key, settings());
    const b = new RedisBreaker(client, key, settings());
    expect(await a.acquire()).toEqual({ allowed: true, trial: false, state: "closed" });
    expect(await a.record("failure", false)).toBe("closed");
    expect(await b.record("failure", false)).toBe("open");
    const rejected = await a.acquire();
    expect(rejected).toMatchObject({ allowed: false, state: "open" });
    expect(rejected.allowed === false && rejected.retryAfterMs).toBeGreaterThan(200);
    expect(rejected.allowed === false && rejected.retryAfterMs).toBeLessThanOrEqual(300);
    await sleep(320);
    expect(await b.acquire()).toEqual({ allowed: true, trial: true, state: "half_open" });
    expect(await a.acquire()).toMatchObject({ allowed: false, state: "half_open" });
    expect(await b.record("success", true)).toBe("closed");
    expect(await a.acquire()).toEqual({ allowed: true, trial: false, state: "closed" });
  });

  it("re-opens on a failed trial and applies the failure ratio over the window", async () => {
    const key = `${prefix}breaker:ratio`;
    const breaker = new RedisBreaker(
      client,
      key,
      settings({ failureThreshold: 100, failureRatio: { threshold: 0.5, window: "10s", minimumCalls: 4 } }),
    );
    for (const outcome of ["failure", "success", "success"] as const) await breaker.record(outcome, false);
    expect(await breaker.record("failure", false)).toBe("open");
    await sleep(320);
    expect(await breaker.acquire()).toMatchObject({ allowed: true, trial: true });
    expect(await breaker.record("failure", true)).toBe("open");
    expect(await breaker.acquire()).toMatchObject({ allowed: false, state: "open" });
  });

  it("reserves tokens from one bucket for every worker", async () => {
    const key = `${prefix}bucket:unit`;
    const a = new RedisBucket(client, key, 2, 10);
    const b = new RedisBucket(client, key, 2, 10);
    expect(await a.reserve(1000)).toEqual({ reserved: true, waitMs: 0 });
    expect(await b.reserve(1000)).toEqual({ reserved: true, waitMs: 0 });
    const third = await a.reserve(1000);
    expect(third.reserved).toBe(true);
    expect(third.waitMs).toBeGreaterThan(80);
    expect(third.waitMs).toBeLessThanOrEqual(100);
    const refused = await b.reserve(50);
    expect(refused.reserved).toBe(false);
    expect(refused.waitMs).toBeGreaterThan(150);
  });

  it("uses the redis capability another plugin provides, under its key prefix", async () => {
    const capPrefix = `${prefix}cap:`;
    const sharedRedis = definePlugin({
      name: "test-redis",
      setup(ctx) {
        ctx.provide("redis", { client, keyPrefix: capPrefix });
      },
    });
    const fm = createFlowMesh({
      logger: createLogger({ level: "silent" }),
      // Listed first on purpose: `enforce: "post"` sets resilience up after the provider.
      plugins: [
        resilience({ policies: { api: { circuitBreaker: { failureThreshold: 1 } } } }),
        sharedRedis(),
      ],
    });
    try {
      await fm.register({
        name: "cap",
        tasks: [
          {
            name: "t",
            policies: ["api"],
            handler: () => {
              throw new Error("down");
            },
          },
        ],
      });
      await (await fm.start("cap")).wait();
      expect(await client.hget(`${capPrefix}resilience:breaker:api`, "state")).toBe("open");
    } finally {
      await fm.close();
    }
  });

  it(
    "holds a shared rate limit within 10% over 5 s with 3 worker processes",
    { timeout: 40_000 },
    async () => {
      if (!existsSync(built))
        throw new Error(`${built} is missing: run \`npx tsc -b packages/plugin-resilience\``);
      const keyPrefix = `${prefix}procs:`;
      const durationMs = 5000;
      // Room for three Node processes to start on a busy machine before the window opens.
      const startAt = Date.now() + 4000;
      const outputs = await Promise.all(
        [1, 2, 3].map(() =>
          runWorker({
            REDIS_URL,
            KEY_PREFIX: keyPrefix,
            START_AT: String(startAt),
            DURATION_MS: String(durationMs),
          }),
        ),
      );
      const calls = outputs.flat().filter((t) => t >= startAt && t < startAt + durationMs);
      // maxTokens 10 at once, then refillRate 20/s: 10 + 20 × 5 = 110 calls in the window.
      const expected = 10 + 20 * (durationMs / 1000);
      expect(outputs.every((o) => o.length > 0)).toBe(true);
      expect(calls.length).toBeGreaterThanOrEqual(expected * 0.9);
      expect(calls.length).toBeLessThanOrEqual(expected * 1.1);
      // No one-second window past the burst sees much more than 20 calls.
      for (let from = startAt + 1000; from + 1000 <= startAt + durationMs; from += 250) {
        const inWindow = calls.filter((t) => t >= from && t < from + 1000).length;
        expect(inWindow).toBeLessThanOrEqual(20 * 1.1 + 1);
      }
    },
  );
});

function runWorker(env: Record<string, string>): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [worker], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`worker did not exit in time: ${stderr}`));
    }, 30_000);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`worker exited with ${code}: ${stderr}`));
      try {
        resolve(JSON.parse(stdout.trim().split("\n").at(-1)!) as number[]);
      } catch (error) {
        reject(new Error(`worker printed no JSON: ${stdout}${stderr}`, { cause: error }));
      }
    });
  });
}
