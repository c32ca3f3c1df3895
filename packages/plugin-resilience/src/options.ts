/**
 * The plugin's options: named policies, each with an optional circuit
 * breaker, rate limiter and bulkhead. Durations follow core's rule (a number
 * is seconds, strings carry their unit); everything is checked here, so a
 * typo in a config file fails the start with the option's path.
 */
import { FlowMeshError, parseDuration } from "@flowmesh/core";
import { z } from "zod";

/** A duration as core reads it (`30` is 30 s, `"250ms"`), parsed to milliseconds. */
const duration = z.union([z.number(), z.string()]).transform((value, ctx) => {
  try {
    return parseDuration(value);
  } catch (error) {
    ctx.addIssue({
      code: "custom",
      message:
        error instanceof FlowMeshError
          ? error.message.replace(/^\[flowmesh\] duration: /, "")
          : String(error),
    });
    return z.NEVER;
  }
});

const positiveInt = z.number().int().positive();

/** Trip on a failure ratio over a sliding time window, on top of consecutive failures. */
export const failureRatioSchema = z.strictObject({
  /** Fraction of failed calls (0 < threshold ≤ 1) that opens the breaker. */
  threshold: z.number().gt(0).lte(1),
  /** Length of the sliding window. @default "60s" */
  window: duration.default(60),
  /** Calls needed in the window before the ratio is judged. @default 10 */
  minimumCalls: positiveInt.default(10),
});

/** Circuit breaker options. */
export const circuitBreakerSchema = z.strictObject({
  /** Consecutive failures that open the breaker. @default 5 */
  failureThreshold: positiveInt.default(5),
  /** How long it stays open before letting trial calls through (half-open). @default 30 (seconds) */
  recoveryTimeout: duration.default(30),
  /** Trial calls let through at once while half-open. @default 1 */
  halfOpenMaxCalls: positiveInt.default(1),
  /** Successful trial calls that close it again. @default 1 */
  successThreshold: positiveInt.default(1),
  /** Optional: also open when this share of calls fails within a window. */
  failureRatio: failureRatioSchema.optional(),
  /**
   * Errors that do not count as failures, by `name` or `code`
   * (e.g. `"FM_ERR_TASK_TIMEOUT"`, `"ValidationError"`). @default []
   */
  ignore: z.array(z.string().min(1)).default([]),
  /**
   * Whether a `NonRetryableError` (bad input, a 4xx: the caller's fault, not
   * the service's) counts as a failure. @default false
   */
  countNonRetryable: z.boolean().default(false),
  /** Code only: decides which errors count; when set, `ignore` and `countNonRetryable` are not consulted. */
  isFailure: z.custom<(error: unknown) => boolean>((value) => typeof value === "function").optional(),
});

/** Token-bucket rate limiter options. */
export const rateLimiterSchema = z.strictObject({
  /** Bucket size: the largest burst. */
  maxTokens: positiveInt,
  /** Tokens added per second (may be fractional: 0.5 is one every 2 s). */
  refillRate: z.number().positive(),
  /**
   * The longest a task waits for its token inside its attempt. A longer wait
   * defers the task until the token is due, without using an attempt.
   * @default half the task's timeout, or 30 s for a task without one
   */
  maxWait: duration.optional(),
});

/** Bulkhead options. */
export const bulkheadSchema = z.strictObject({
  /** Calls of this policy running at once in this process. */
  maxConcurrent: positiveInt,
  /** Calls allowed to wait for a slot; one more fails with `FM_ERR_BULKHEAD_FULL`. @default unbounded */
  maxQueue: z.number().int().nonnegative().optional(),
});

/** One named policy: any combination of the three. */
export const policySchema = z
  .strictObject({
    circuitBreaker: circuitBreakerSchema.optional(),
    rateLimiter: rateLimiterSchema.optional(),
    bulkhead: bulkheadSchema.optional(),
  })
  .refine((p) => p.circuitBreaker !== undefined || p.rateLimiter !== undefined || p.bulkhead !== undefined, {
    message: "a policy needs at least one of circuitBreaker, rateLimiter, bulkhead",
  });

const policyName = z.string().regex(/^[A-Za-z0-9_.:-]+$/, "policy names use letters, digits, _ . : -");

/** The plugin's options. */
export const optionsSchema = z.strictObject({
  /** Policies by name; tasks list them in `policies: [name]`. */
  policies: z.record(policyName, policySchema).default({}),
  /**
   * Where breaker state and token buckets live. An ioredis client shares them
   * with every worker using the same Redis and key prefix; `false` keeps them
   * in this process. @default the `redis` capability when a plugin provides it, else in process
   */
  redis: z
    .custom<RedisClientLike | false>(
      (value) => value === false || (typeof value === "object" && value !== null && "evalsha" in value),
      { message: "expected an ioredis client (with evalsha) or false" },
    )
    .optional(),
  /**
   * Prefix of every Redis key. @default the `redis` capability's prefix plus
   * `"resilience:"`, or `"flowmesh:resilience:"`
   */
  keyPrefix: z.string().min(1).optional(),
  /** Clock in epoch ms for the in-process state (tests inject a fake one). Redis state uses the Redis clock. @default Date.now */
  now: z.custom<() => number>((value) => typeof value === "function").optional(),
});

/** What users pass. */
export type ResilienceOptions = z.input<typeof optionsSchema>;
/** One policy as users write it. */
export type PolicyOptions = z.input<typeof policySchema>;
/** One policy after validation (durations in ms). */
export type ResolvedPolicy = z.output<typeof policySchema>;
export type ResolvedCircuitBreaker = z.output<typeof circuitBreakerSchema>;
export type ResolvedRateLimiter = z.output<typeof rateLimiterSchema>;
export type ResolvedBulkhead = z.output<typeof bulkheadSchema>;

/** The two calls this package makes on an ioredis client. */
export interface RedisClientLike {
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}
