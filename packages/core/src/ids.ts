import { randomFillSync } from "node:crypto";

const pool = Buffer.alloc(4096);
let poolOffset = pool.length;
let lastMs = 0;
let counter = 0;

/**
 * A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then randomness, so ids
 * sort by creation time — backends page runs by id without a second index.
 * Within one millisecond a 12-bit counter keeps ids from this process ordered.
 */
export function uuidv7(now: number = Date.now()): string {
  if (poolOffset + 10 > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  if (now > lastMs) {
    lastMs = now;
    counter = pool[poolOffset]! & 0x3f;
  } else {
    counter = (counter + 1) & 0xfff;
  }
  const ms = lastMs.toString(16).padStart(12, "0");
  const rand = pool.toString("hex", poolOffset + 1, poolOffset + 9);
  poolOffset += 9;
  const variant = ((parseInt(rand.slice(0, 1), 16) & 0x3) | 0x8).toString(16);
  return `${ms.slice(0, 8)}-${ms.slice(8)}-7${counter.toString(16).padStart(3, "0")}-${variant}${rand.slice(1, 4)}-${rand.slice(4, 16)}`;
}
