/** Real-Redis helpers: reachability (fail under CI, skip elsewhere) and a unique key prefix per test file run. */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** Fails with a clear message when Redis does not answer: it runs on every machine, so tests never skip. */
export async function requireRedis(): Promise<void> {
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw new Error(
      `Redis at ${REDIS_URL} is unreachable: start it with redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`,
      { cause: error },
    );
  } finally {
    client.disconnect();
  }
}

export function uniquePrefix(): string {
  return `flowmesh-test:resilience:${randomUUID()}:`;
}

/** Deletes every key under `prefix`. */
export async function deleteKeys(client: Redis, prefix: string): Promise<void> {
  const keys = await client.keys(`${prefix}*`);
  if (keys.length > 0) await client.del(...keys);
}
