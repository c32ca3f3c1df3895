/**
 * A token bucket for one process. Tokens refill continuously at `refillRate`
 * per second up to `maxTokens`. A caller that finds none reserves the next
 * one (the count goes below zero) and is told how long to wait for it, so
 * waiters are served in order with one timer each, never a polling loop.
 */
import type { BucketStore, Reservation } from "./bucket-types.js";

export class LocalBucket implements BucketStore {
  private tokens: number;
  private updatedAt: number;
  private readonly perMs: number;

  constructor(
    private readonly maxTokens: number,
    refillRate: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = maxTokens;
    this.perMs = refillRate / 1000;
    this.updatedAt = now();
  }

  reserve(maxWaitMs: number): Promise<Reservation> {
    const now = this.now();
    this.tokens = Math.min(this.maxTokens, this.tokens + (now - this.updatedAt) * this.perMs);
    this.updatedAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve({ reserved: true, waitMs: 0 });
    }
    const waitMs = Math.ceil((1 - this.tokens) / this.perMs);
    if (waitMs > maxWaitMs) return Promise.resolve({ reserved: false, waitMs });
    this.tokens -= 1;
    return Promise.resolve({ reserved: true, waitMs });
  }
}
