/**
 * @flowmesh/plugin-redis — durable, distributed FlowMesh execution on Redis:
 * a Coordinator backend (Lua scripts, fenced leases, streams, pub/sub) and the
 * `redis()` plugin that provides it plus a shared connection for other plugins.
 */
export { RedisCoordinator } from "./redis-coordinator.js";
export type { RedisHealth } from "./redis-coordinator.js";
export { redis, redisCoordinator } from "./plugin.js";
export { redisOptionsSchema } from "./options.js";
export type { RedisBackendOptions } from "./options.js";
export { KeyLayout } from "./keys.js";
export { SCRIPTS } from "./scripts.js";
export type { ScriptName } from "./scripts.js";
