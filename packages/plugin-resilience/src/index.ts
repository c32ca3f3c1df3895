/**
 * @flowmesh/plugin-resilience — circuit breakers, rate limiters and
 * bulkheads as named FlowMesh task policies, in process or shared through Redis.
 */
export { resilience, PLUGIN_NAME } from "./plugin.js";
export { resilience as default } from "./plugin.js";
export {
  optionsSchema,
  policySchema,
  circuitBreakerSchema,
  rateLimiterSchema,
  bulkheadSchema,
  failureRatioSchema,
} from "./options.js";
export type { PolicyOptions, RedisClientLike, ResilienceOptions, ResolvedPolicy } from "./options.js";
export { BulkheadFullError, CircuitOpenError, RateLimitedError } from "./errors.js";
export { LocalBreaker } from "./local-breaker.js";
export { LocalBucket } from "./local-bucket.js";
export { Bulkhead } from "./bulkhead.js";
export { RedisBreaker } from "./redis/redis-breaker.js";
export { RedisBucket } from "./redis/redis-bucket.js";
export { breakerSettings } from "./create-policy.js";
export type {
  BreakerDecision,
  BreakerOutcome,
  BreakerSettings,
  BreakerStore,
  CircuitState,
} from "./breaker-types.js";
export type { BucketStore, Reservation } from "./bucket-types.js";
