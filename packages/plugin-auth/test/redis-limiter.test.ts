import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisLimiter } from "../src/rate-limit/redis-limiter.js";

const prefix = `fm-test:auth-rl:${randomUUID()}:`;
let redis: Redis;

beforeAll(async () => {
  redis = new Redis({ host: "127.0.0.1", port: 6379, lazyConnect: true, maxRetriesPerRequest: 1 });
  // Redis runs on every development and CI machine: a missing one fails the suite, never skips it.
  await redis.connect();
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe("Redis token bucket", () => {
  it("is atomic across limiters: 2 clients, 40 concurrent requests, capacity 25 → 25 allowed", async () => {
    const other = redis.duplicate();
    try {
      const a = createRedisLimiter(redis, prefix);
      const b = createRedisLimiter(other, prefix);
      const policy = { name: "principal", requestsPerMinute: 25 };
      const decisions = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (i % 2 === 0 ? a : b).consume("principal:api-key:alice", policy),
        ),
      );
      // Refill is 25/min: during a sub-second burst at most one extra token can appear.
      const allowed = decisions.filter((d) => d.allowed).length;
      expect(allowed).toBeGreaterThanOrEqual(25);
      expect(allowed).toBeLessThanOrEqual(26);
      const refused = decisions.find((d) => !d.allowed)!;
      expect(refused.remaining).toBe(0);
      expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(3);
      const ttl = await redis.pttl(`${prefix}auth:rl:principal:api-key:alice`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(61_000);
    } finally {
      other.disconnect();
    }
  });

  it("loads the script again after SCRIPT FLUSH (NOSCRIPT)", async () => {
    const limiter = createRedisLimiter(redis, prefix);
    const policy = { name: "ip", requestsPerMinute: 5 };
    await limiter.consume("ip:1", policy);
    await redis.script("FLUSH");
    expect(await limiter.consume("ip:1", policy)).toMatchObject({ allowed: true, remaining: 3 });
  });
});
