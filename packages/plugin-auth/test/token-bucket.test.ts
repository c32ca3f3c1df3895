import type { Logger } from "@flowmesh/core";
import { describe, expect, it } from "vitest";
import { setRateLimitHeaders } from "../src/rate-limit/headers.js";
import { createMemoryLimiter } from "../src/rate-limit/memory-limiter.js";
import { bucketFor, createLimiter } from "../src/rate-limit/select.js";
import { takeToken } from "../src/rate-limit/token-bucket.js";

const policy = { name: "principal", requestsPerMinute: 60 };

describe("token bucket", () => {
  it("allows a full bucket's burst, then refuses until a token refills", () => {
    let state;
    const decisions = [];
    for (let i = 0; i < 61; i++) {
      const out = takeToken(state, policy, 1_000);
      state = out.state;
      decisions.push(out.decision);
    }
    expect(decisions.filter((d) => d.allowed)).toHaveLength(60);
    expect(decisions[0]).toEqual({ allowed: true, remaining: 59, retryAfterSeconds: 0, resetSeconds: 1 });
    expect(decisions[60]).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 1, resetSeconds: 60 });
    // 60 per minute is one per second: after 1 s one more request passes, and only one.
    const later = takeToken(state, policy, 2_000);
    expect(later.decision.allowed).toBe(true);
    expect(takeToken(later.state, policy, 2_000).decision.allowed).toBe(false);
  });

  it("never fills past capacity however long it sat", () => {
    const { state } = takeToken(undefined, policy, 0);
    expect(takeToken(state, policy, 10 * 60_000).decision.remaining).toBe(59);
  });

  it("keeps one bucket per key in memory", async () => {
    let now = 0;
    const limiter = createMemoryLimiter({ now: () => now });
    const small = { name: "ip", requestsPerMinute: 2 };
    expect((await limiter.consume("a", small)).allowed).toBe(true);
    expect((await limiter.consume("a", small)).allowed).toBe(true);
    const refused = await limiter.consume("a", small);
    expect(refused).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 30, resetSeconds: 60 });
    expect((await limiter.consume("b", small)).allowed).toBe(true);
    now = 30_000;
    expect((await limiter.consume("a", small)).allowed).toBe(true);
    limiter.close();
  });

  it("writes draft-10 RateLimit headers, with Retry-After on refusal", () => {
    const headers = new Headers();
    setRateLimitHeaders(headers, policy, {
      allowed: true,
      remaining: 42,
      retryAfterSeconds: 0,
      resetSeconds: 18,
    });
    expect(Object.fromEntries(headers)).toEqual({
      "ratelimit-policy": '"principal";q=60;w=60',
      ratelimit: '"principal";r=42;t=18',
    });
    const refused = new Headers();
    setRateLimitHeaders(refused, policy, {
      allowed: false,
      remaining: 0,
      retryAfterSeconds: 3,
      resetSeconds: 60,
    });
    expect(Object.fromEntries(refused)).toEqual({
      "ratelimit-policy": '"principal";q=60;w=60',
      ratelimit: '"principal";r=0;t=3',
      "retry-after": "3",
    });
  });
});

describe("limiter selection", () => {
  it("counts in memory while Redis fails, and says so once", async () => {
    const warnings: unknown[] = [];
    const failing = {
      evalsha: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:6379")),
      eval: () => Promise.reject(new Error("unreachable")),
    };
    const logger = { warn: (fields: unknown) => warnings.push(fields) } as unknown as Logger;
    const limiter = createLimiter({ client: failing, keyPrefix: "x:" }, logger);
    const small = { name: "principal", requestsPerMinute: 2 };
    const allowed = [];
    for (let i = 0; i < 3; i++) allowed.push((await limiter.consume("principal:api-key:a", small)).allowed);
    expect(allowed).toEqual([true, true, false]);
    expect(warnings).toEqual([
      { event: "auth.rate_limit_store_failed", err: "connect ECONNREFUSED 127.0.0.1:6379" },
    ]);
    limiter.close();
  });

  it("buckets principals by id and anonymous callers by IP, with the highest role limit", () => {
    const options = {
      requestsPerMinute: 100,
      roles: { admin: 1000, viewer: 50 },
      anonymousRequestsPerMinute: 10,
      store: "auto" as const,
    };
    expect(bucketFor(options, undefined, "10.0.0.1")).toEqual({
      bucket: "ip:10.0.0.1",
      policy: { name: "ip", requestsPerMinute: 10 },
    });
    const principal = { id: "bob", roles: ["viewer", "admin"], namespaces: "*" as const, method: "jwt" };
    expect(bucketFor(options, principal, "10.0.0.1")).toEqual({
      bucket: "principal:jwt:bob",
      policy: { name: "principal", requestsPerMinute: 1000 },
    });
    expect(bucketFor(options, { ...principal, roles: ["runner"] }, undefined).policy.requestsPerMinute).toBe(
      100,
    );
  });
});
