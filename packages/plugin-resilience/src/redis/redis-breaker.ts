/** A circuit breaker whose state lives in Redis, shared by every worker using the same key. */
import {
  HALF_OPEN_RETRY_MS,
  WINDOW_BUCKETS,
  type BreakerDecision,
  type BreakerOutcome,
  type BreakerSettings,
  type BreakerStore,
  type CircuitState,
} from "../breaker-types.js";
import type { RedisClientLike } from "../options.js";
import { BREAKER_SCRIPT } from "./breaker-script.js";

export class RedisBreaker implements BreakerStore {
  private readonly ttlMs: number;

  constructor(
    private readonly client: RedisClientLike,
    private readonly key: string,
    private readonly settings: BreakerSettings,
  ) {
    // Idle breakers expire (closed again); never before an open one would half-open.
    this.ttlMs = Math.max(3_600_000, 2 * settings.recoveryMs, 2 * (settings.failureRatio?.windowMs ?? 0));
  }

  async acquire(): Promise<BreakerDecision> {
    const [state, allowed, retryAfterMs, trial] = await this.run("acquire", false);
    return allowed === 1
      ? { allowed: true, trial: trial === 1, state }
      : { allowed: false, retryAfterMs, state };
  }

  async record(outcome: BreakerOutcome, trial: boolean): Promise<CircuitState> {
    return (await this.run(outcome, trial))[0];
  }

  private async run(op: string, trial: boolean): Promise<[CircuitState, number, number, number]> {
    const s = this.settings;
    const reply = await BREAKER_SCRIPT.run(
      this.client,
      [this.key],
      [
        op,
        s.failureThreshold,
        s.recoveryMs,
        s.halfOpenMaxCalls,
        s.successThreshold,
        s.failureRatio?.threshold ?? 0,
        s.failureRatio?.windowMs ?? 0,
        s.failureRatio?.minimumCalls ?? 0,
        trial ? 1 : 0,
        this.ttlMs,
        WINDOW_BUCKETS,
        HALF_OPEN_RETRY_MS,
      ],
    );
    const [state, allowed, retryAfterMs, granted] = reply as [string, number, number, number];
    return [state as CircuitState, Number(allowed), Number(retryAfterMs), Number(granted)];
  }
}
