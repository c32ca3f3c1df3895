/**
 * The `redis()` plugin: provides the Redis backend and, through the `redis`
 * capability, its connection and key prefix so other plugins (shared rate
 * limits, circuit breakers) keep their state in the same Redis.
 */
import { definePlugin } from "@flowmesh/core";
import { RedisCoordinator } from "./redis-coordinator.js";
import { redisOptionsSchema, type RedisBackendOptions } from "./options.js";

export const redis = definePlugin({
  name: "redis",
  options: redisOptionsSchema,
  setup(ctx, options) {
    const coordinator = new RedisCoordinator({ ...options, logger: options.logger ?? ctx.logger });
    // The engine closes its backend after every plugin's cleanup: nothing to register here.
    ctx.provide("backend", coordinator);
    ctx.provide("redis", { client: coordinator.client, keyPrefix: coordinator.keyPrefix });
  },
});

/** A Redis backend to pass as `createFlowMesh({ backend })`, without the plugin. */
export function redisCoordinator(options: RedisBackendOptions = {}): RedisCoordinator {
  return new RedisCoordinator(options);
}
