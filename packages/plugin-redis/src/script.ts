/**
 * A Lua script run with EVALSHA. The SHA is computed here, once; when the
 * server does not know it (first use, a restart, `SCRIPT FLUSH`) the script is
 * sent once with EVAL, which also caches it, and EVALSHA works again after.
 */
import { createHash } from "node:crypto";
import type { Cluster, Redis } from "ioredis";
import { PRELUDE } from "./lua/prelude.js";

/** What scripts are called with: keys and arguments, all strings. */
export type ScriptArgs = (string | number)[];

export class Script {
  readonly lua: string;
  readonly sha: string;

  constructor(
    readonly name: string,
    body: string,
  ) {
    this.lua = `-- flowmesh:${name}\n${PRELUDE}\n${body}`;
    this.sha = createHash("sha1").update(this.lua).digest("hex");
  }

  /** Runs the script; falls back to EVAL once if the server lost it. */
  async run(client: Redis | Cluster, keys: readonly string[], args: ScriptArgs): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return client.eval(this.lua, keys.length, ...keys, ...args);
    }
  }
}
