import { FlowMeshError, NonRetryableError } from "@flowmesh/core";
import type { FlowMeshEventMap } from "@flowmesh/core";
import { describe, expect, it } from "vitest";
import { optionsSchema, resilience } from "../src/index.js";
import { useEngines } from "./support.js";

const engine = useEngines();

describe("circuit breaker through the engine", () => {
  it("fails fast while open without using a retry: a task with retry 1 still succeeds once the breaker half-opens", async () => {
    const fm = engine({
      plugins: [
        resilience({
          policies: { "payments-api": { circuitBreaker: { failureThreshold: 1, recoveryTimeout: "300ms" } } },
        }),
      ],
    });
    const states: FlowMeshEventMap["circuit:state"][] = [];
    fm.events.on("circuit:state", (event) => states.push(event));
    const deferred: unknown[] = [];
    fm.events.on("task:retrying", (event) => deferred.push(event.error));
    let downstreamUp = false;
    const calls: number[] = [];
    await fm.register({
      name: "charge",
      tasks: [
        {
          name: "charge_card",
          policies: ["payments-api"],
          retry: { maxRetries: 1, baseDelay: "10ms", jitter: false },
          handler: (ctx) => {
            calls.push(ctx.attempt);
            if (!downstreamUp) {
              downstreamUp = true; // it recovers, but the breaker only learns at its trial
              throw new Error("503 from payments");
            }
            return "charged";
          },
        },
      ],
    });
    const started = performance.now();
    const handle = await fm.start("charge");
    expect(await handle.result()).toEqual({ charge_card: "charged" });
    const run = await handle.wait();
    // Attempt 1 failed and opened the breaker; attempt 2 was deferred (not counted) until the trial.
    expect(calls).toEqual([1, 2]);
    expect(run.tasks.charge_card!.attempts).toBe(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(deferred.some((e) => e instanceof FlowMeshError && e.code === "FM_ERR_CIRCUIT_OPEN")).toBe(true);
    expect(states).toEqual([
      { name: "payments-api", state: "open", previous: "closed" },
      { name: "payments-api", state: "half_open", previous: "open" },
      { name: "payments-api", state: "closed", previous: "half_open" },
    ]);
  });

  it("re-opens when the half-open trial fails, and a later trial closes it", async () => {
    const fm = engine({
      plugins: [
        resilience({
          policies: { api: { circuitBreaker: { failureThreshold: 2, recoveryTimeout: "100ms" } } },
        }),
      ],
    });
    const states: string[] = [];
    fm.events.on("circuit:state", (event) => states.push(event.state));
    const outcomes = ["fail", "fail", "fail", "ok"];
    await fm.register({
      name: "flaky",
      tasks: [
        {
          name: "call",
          policies: ["api"],
          retry: { maxRetries: 5, baseDelay: "5ms", jitter: false },
          handler: () => {
            if (outcomes.shift() === "fail") throw new Error("down");
            return "up";
          },
        },
      ],
    });
    const run = await (await fm.start("flaky")).wait();
    expect(run.status).toBe("succeeded");
    // Attempts 1-2 open it; the trial (attempt 3) fails and re-opens it; the next trial (attempt 4) closes it.
    expect(run.tasks.call!.attempts).toBe(4);
    expect(states).toEqual(["open", "half_open", "open", "half_open", "closed"]);
  });

  it("does not count NonRetryableError, listed errors or engine stops; isFailure decides when given", async () => {
    const fm = engine({
      plugins: [
        resilience({
          policies: {
            strict: { circuitBreaker: { failureThreshold: 1, ignore: ["ValidationError"] } },
            custom: { circuitBreaker: { failureThreshold: 1, isFailure: (e) => String(e).includes("5xx") } },
          },
        }),
      ],
    });
    const states: string[] = [];
    fm.events.on("circuit:state", (event) => states.push(`${event.name}:${event.state}`));
    class ValidationError extends Error {
      override readonly name = "ValidationError";
    }
    const errors = [new NonRetryableError("bad input"), new ValidationError("bad field")];
    await fm.register({
      name: "ignored",
      tasks: [{ name: "t", policies: ["strict"], handler: () => Promise.reject(errors.shift()!) }],
    });
    await (await fm.start("ignored")).wait();
    await (await fm.start("ignored")).wait();
    expect(states).toEqual([]);

    const thrown = [new Error("4xx"), new Error("5xx")];
    await fm.register({
      name: "custom",
      tasks: [{ name: "t", policies: ["custom"], handler: () => Promise.reject(thrown.shift()!) }],
    });
    await (await fm.start("custom")).wait();
    expect(states).toEqual([]);
    await (await fm.start("custom")).wait();
    expect(states).toEqual(["custom:open"]);
  });

  it("counts a task timeout as a failure", async () => {
    const fm = engine({
      plugins: [resilience({ policies: { slow: { circuitBreaker: { failureThreshold: 1 } } } })],
    });
    const states: string[] = [];
    fm.events.on("circuit:state", (event) => states.push(event.state));
    await fm.register({
      name: "slow",
      tasks: [
        {
          name: "t",
          policies: ["slow"],
          timeout: "30ms",
          handler: () => new Promise(() => undefined), // ignores its signal: never settles
        },
      ],
    });
    const run = await (await fm.start("slow")).wait();
    expect(run.tasks.t!.error!.code).toBe("FM_ERR_TASK_TIMEOUT");
    expect(states).toEqual(["open"]);
  });
});

describe("policy declarations", () => {
  it("fails registration for an unknown policy, naming workflow, task and policy", async () => {
    const fm = engine({ plugins: [resilience({ policies: { known: { bulkhead: { maxConcurrent: 1 } } } })] });
    const error = await fm
      .register({ name: "orders", tasks: [{ name: "charge", policies: ["typo"], handler: () => 1 }] })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(FlowMeshError);
    const message = (error as Error).message;
    expect(message).toContain('workflow "orders"');
    expect(message).toContain('task "charge"');
    expect(message).toContain('unknown policy "typo"');
    expect(message).toContain('"known"');
  });

  it("rejects bad options with the option's path", async () => {
    const bad = [
      [
        { policies: { api: { rateLimiter: { maxTokens: 10, refillRate: -1 } } } },
        "policies.api.rateLimiter.refillRate",
      ],
      [
        { policies: { api: { circuitBreaker: { recoveryTimeout: "soon" } } } },
        "policies.api.circuitBreaker.recoveryTimeout",
      ],
      [{ policies: { api: {} } }, "at least one of circuitBreaker, rateLimiter, bulkhead"],
      [{ policies: { api: { bulkhead: { maxConcurrent: 0 } } } }, "policies.api.bulkhead.maxConcurrent"],
      [{ policies: { api: { circuitBreaker: { failureTreshold: 3 } } } }, "failureTreshold"],
      [{ redis: "redis://localhost" }, 'option "redis"'],
    ] as const;
    for (const [options, expected] of bad) {
      const fm = engine({ plugins: [resilience(options as never)] });
      const error = await fm.start("nothing").then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, JSON.stringify(options)).toBeInstanceOf(FlowMeshError);
      expect((error as FlowMeshError).code).toBe("FM_ERR_INVALID_OPTIONS");
      expect((error as Error).message).toContain(expected);
    }
  });

  it("parses durations as core does: a number is seconds", () => {
    const parsed = resilienceOptions({
      policies: {
        a: {
          circuitBreaker: { recoveryTimeout: 30 },
          rateLimiter: { maxTokens: 10, refillRate: 1.0, maxWait: "250ms" },
        },
      },
    });
    expect(parsed.policies.a!.circuitBreaker).toMatchObject({ failureThreshold: 5, recoveryTimeout: 30_000 });
    expect(parsed.policies.a!.rateLimiter).toMatchObject({ maxTokens: 10, refillRate: 1, maxWait: 250 });
  });
});

function resilienceOptions(input: unknown) {
  return optionsSchema.parse(input);
}
