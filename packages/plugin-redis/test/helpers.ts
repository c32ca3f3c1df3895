/**
 * Shared by the Redis tests: a unique key prefix per test file run, a silent
 * logger, a probe that fails (never skips) under CI when Redis is down, and
 * cleanup of every key under a prefix.
 */
import { randomUUID } from "node:crypto";
import { createLogger, type Logger } from "@flowmesh/core";
import { Redis } from "ioredis";
import { afterAll, afterEach } from "vitest";
import { RedisCoordinator, type RedisBackendOptions } from "../src/index.js";

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

/** Coordinators and raw clients of one test file, on its own key prefix. */
export interface RedisTestKit {
  readonly prefix: string;
  /** A started coordinator on the prefix (quiet logger unless given). */
  coordinator(options?: Partial<RedisBackendOptions>): Promise<RedisCoordinator>;
  /** A plain ioredis client, for looking at keys directly. */
  raw(): Redis;
}

/**
 * Sets up a test file's Redis: a unique prefix, every coordinator and client
 * made closed after each test, and the prefix's keys deleted after the file.
 */
export function redisTestKit(label: string): RedisTestKit {
  const prefix = uniquePrefix(label);
  const coordinators: RedisCoordinator[] = [];
  const clients: Redis[] = [];
  afterEach(async () => {
    for (const c of coordinators.splice(0)) await c.close();
    for (const client of clients.splice(0)) client.disconnect();
  });
  afterAll(() => deletePrefix(prefix));
  return {
    prefix,
    async coordinator(options = {}) {
      const c = new RedisCoordinator({
        url: REDIS_URL,
        keyPrefix: prefix,
        logger: quietLogger(),
        ...options,
      });
      coordinators.push(c);
      await c.start();
      return c;
    },
    raw() {
      const client = new Redis(REDIS_URL);
      clients.push(client);
      return client;
    },
  };
}
