/** A token bucket whose state lives in Redis, shared by every worker using the same key. */
import type { BucketStore, Reservation } from "../bucket-types.js";
import type { RedisClientLike } from "../options.js";
import { BUCKET_SCRIPT } from "./bucket-script.js";

export class RedisBucket implements BucketStore {
  private readonly perMs: number;
  private readonly fillMs: number;

  constructor(
    private readonly client: RedisClientLike,
    private readonly key: string,
    private readonly maxTokens: number,
    refillRate: number,
  ) {
    this.perMs = refillRate / 1000;
    this.fillMs = Math.ceil(maxTokens / this.perMs);
  }

  async reserve(maxWaitMs: number): Promise<Reservation> {
    // Kept until a full refill after the last reservation is due: expiring sooner would forget a debt.
    const ttlMs = this.fillMs + Math.ceil(maxWaitMs) + 60_000;
    const reply = (await BUCKET_SCRIPT.run(
      this.client,
      [this.key],
      [this.maxTokens, this.perMs, Math.floor(maxWaitMs), ttlMs],
    )) as [number, number];
    return { reserved: Number(reply[0]) === 1, waitMs: Number(reply[1]) };
  }
}
