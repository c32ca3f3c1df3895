/**
 * Shared by the Redis tests: a unique key prefix per test file run, a silent
 * logger, a probe that fails (never skips) under CI when Redis is down, and
 * cleanup of every key under a prefix.
 */
import { randomUUID } from "node:crypto";
import { createLogger, type Logger } from "@flowmesh/core";
import { Redis } from "ioredis";

export const REDIS_URL = process.env.FLOWMESH_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

export function uniquePrefix(label: string): string {
  return `fmtest:${label}:${randomUUID().slice(0, 8)}`;
}

export function quietLogger(): Logger {
  return createLogger({ level: "silent" });
}

/** A logger that records warnings, for tests that check what the backend warns about. */
export function recordingLogger(): { logger: Logger; warnings: string[] } {
  const warnings: string[] = [];
  const make = (): Logger => {
    const logger: Logger = {
      level: "warn",
      child: () => make(),
      error: () => undefined,
      warn: (fields: object | string, message?: string) => {
        warnings.push(typeof fields === "string" ? fields : (message ?? JSON.stringify(fields)));
      },
      info: () => undefined,
      debug: () => undefined,
      trace: () => undefined,
    };
    return logger;
  };
  return { logger: make(), warnings };
}

/**
 * Fails the suite with a clear message when Redis does not answer: it runs on
 * every development and CI machine, so an integration test never skips.
 */
export async function requireRedis(): Promise<void> {
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on("error", () => undefined);
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

/** Deletes every key under the prefix. */
export async function deletePrefix(prefix: string): Promise<void> {
  const client = new Redis(REDIS_URL);
  try {
    let cursor = "0";
    do {
      const [next, found] = await client.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      cursor = next;
      if (found.length > 0) await client.del(...found);
    } while (cursor !== "0");
  } finally {
    client.disconnect();
  }
}
