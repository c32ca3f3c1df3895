/**
 * Runs a Lua script by its SHA1 (EVALSHA), loading it with EVAL the first
 * time a server answers NOSCRIPT (after a restart or failover, too).
 */
import { createHash } from "node:crypto";
import type { RedisClientLike } from "../options.js";

export class RedisScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash("sha1").update(source).digest("hex");
  }

  async run(
    client: RedisClientLike,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes("NOSCRIPT")) throw error;
      return client.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}
