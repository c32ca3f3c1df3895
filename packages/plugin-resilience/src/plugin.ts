/**
 * The `resilience` plugin: named policies declared once, attached to tasks by
 * name (`policies: [payments-api]`), wrapped around each task's handler at
 * registration through the `wrapHandler` hook.
 */
import {
  definePlugin,
  FlowMeshError,
  type PluginContext,
  type TaskDefinition,
  type WrapInfo,
} from "@flowmesh/core";
import type { CircuitState } from "./breaker-types.js";
import { optionsSchema, type RedisClientLike } from "./options.js";
import type { Policy } from "./policy.js";
import { createPolicy, type StateBackend } from "./create-policy.js";

/** Without `maxWait`, a task without a timeout waits at most this long for a token. */
const DEFAULT_MAX_WAIT_MS = 30_000;

/** The plugin's name, as in `dependencies` and error messages. */
export const PLUGIN_NAME = "resilience";

/**
 * Circuit breakers, rate limiters and bulkheads as named task policies:
 * `createFlowMesh({ plugins: [resilience({ policies: { "payments-api": { ... } } })] })`.
 */
export const resilience = definePlugin({
  name: PLUGIN_NAME,
  // After the Redis plugin, whose `redis` capability shares the state between workers.
  enforce: "post",
  options: optionsSchema,
  setup(ctx, options) {
    const policies = new Map<string, Policy>();
    let backend: StateBackend | undefined;
    // Resolved at the first registration, once every plugin (the Redis one too) is set up.
    const stateBackend = (): StateBackend => (backend ??= resolveBackend(ctx, options));
    const observer = {
      state: (policy: string, state: CircuitState, previous: CircuitState) => {
        const log = state === "open" ? ctx.logger.warn.bind(ctx.logger) : ctx.logger.info.bind(ctx.logger);
        log({ policy, state, previous }, `circuit breaker "${policy}" is ${state.replace("_", "-")}`);
        ctx.events.emit("circuit:state", { name: policy, state, previous });
      },
      recordFailed: (policy: string, error: unknown) => {
        ctx.logger.warn({ policy, err: error }, `circuit breaker "${policy}": could not record an outcome`);
      },
    };
    const policyNamed = (name: string, info: WrapInfo): Policy => {
      let policy = policies.get(name);
      if (policy !== undefined) return policy;
      const settings = options.policies[name];
      if (settings === undefined) throw unknownPolicy(name, info, Object.keys(options.policies));
      policy = createPolicy(name, settings, stateBackend(), observer);
      policies.set(name, policy);
      return policy;
    };
    ctx.provide("taskPolicies", { has: (name) => Object.hasOwn(options.policies, name) });
    ctx.hooks.wrapHandler.tap((handler, info) => {
      if (info.task.policies.length === 0) return handler;
      // The first listed policy is the outermost: its breaker is asked first.
      const attached = [...new Set(info.task.policies)].map((name) => policyNamed(name, info));
      let wrapped = handler;
      for (const policy of attached.reverse()) wrapped = policy.guard(wrapped, maxWaitMs(policy, info.task));
      return wrapped;
    });
  },
});

function maxWaitMs(policy: Policy, task: TaskDefinition): number {
  const configured = policy.settings.rateLimiter?.maxWait;
  if (configured !== undefined) return configured;
  return task.timeoutMs === undefined ? DEFAULT_MAX_WAIT_MS : task.timeoutMs / 2;
}

function resolveBackend(
  ctx: PluginContext,
  options: {
    redis?: RedisClientLike | false | undefined;
    keyPrefix?: string | undefined;
    now?: (() => number) | undefined;
  },
): StateBackend {
  const now = options.now ?? Date.now;
  if (options.redis === false) return { kind: "local", now };
  if (options.redis !== undefined) {
    return {
      kind: "redis",
      client: options.redis,
      keyPrefix: options.keyPrefix ?? "flowmesh:resilience:",
      now,
    };
  }
  const shared = ctx.use("redis");
  if (shared === undefined) return { kind: "local", now };
  const client = shared.client as Partial<RedisClientLike> | null;
  if (typeof client?.evalsha !== "function" || typeof client.eval !== "function") {
    throw new FlowMeshError(
      "FM_ERR_PLUGIN",
      `plugin "${PLUGIN_NAME}": the shared "redis" capability has no ioredis client (evalsha and eval missing); pass one as option "redis", or redis: false`,
      { details: { plugin: PLUGIN_NAME } },
    );
  }
  return {
    kind: "redis",
    client: client as RedisClientLike,
    keyPrefix: options.keyPrefix ?? `${shared.keyPrefix}resilience:`,
    now,
  };
}

function unknownPolicy(name: string, info: WrapInfo, declared: string[]): FlowMeshError {
  const known =
    declared.length === 0
      ? "no policies are declared"
      : `declared: ${declared.map((d) => `"${d}"`).join(", ")}`;
  return new FlowMeshError(
    "FM_ERR_INVALID_DEFINITION",
    `workflow "${info.workflow}" task "${info.task.name}": unknown policy "${name}" (${known}); declare it in resilience({ policies })`,
    {
      details: {
        workflow: info.workflow,
        version: info.version,
        task: info.task.name,
        policy: name,
        declared,
      },
    },
  );
}
