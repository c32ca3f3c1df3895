/** A claimed task as the claim script returns it; input and deps are parsed only when read. */
import type { ClaimedTask } from "@flowmesh/core/plugin";
import { fromJson } from "./codec.js";

const NO_DEPS: Record<string, unknown> = Object.freeze({});

export class RedisClaim implements ClaimedTask {
  /** Values per task in the claim script's reply, before its dependency values. */
  static readonly FIELDS = 11;
  readonly runId: string;
  readonly index: number;
  readonly task: string;
  readonly token: string;
  readonly attempt: number;
  readonly roundAttempt: number;
  readonly workflow: string;
  readonly version: string;
  readonly readyAt: number;
  readonly leaseExpiresAt: number;
  private readonly rawInput: string;
  private readonly rawDeps: readonly unknown[];
  private inputCache: { value: unknown } | undefined;
  private depsCache: Record<string, unknown> | undefined;

  /** The task whose fields start at `reply[at]` in the claim script's flat reply, with `deps` dependency values. */
  constructor(reply: readonly unknown[], at: number, deps: number) {
    this.runId = reply[at] as string;
    this.index = Number(reply[at + 1]);
    this.task = reply[at + 2] as string;
    this.token = reply[at + 3] as string;
    this.attempt = Number(reply[at + 4]);
    this.roundAttempt = Number(reply[at + 5]);
    this.workflow = reply[at + 6] as string;
    this.version = reply[at + 7] as string;
    this.rawInput = reply[at + 8] as string;
    this.readyAt = Number(reply[at + 9]);
    this.leaseExpiresAt = Number(reply[at + 10]);
    const start = at + RedisClaim.FIELDS;
    this.rawDeps = deps > 0 ? reply.slice(start, start + deps) : [];
  }

  get input(): unknown {
    return (this.inputCache ??= { value: fromJson(this.rawInput) }).value;
  }

  get deps(): Record<string, unknown> {
    if (this.depsCache !== undefined) return this.depsCache;
    if (this.rawDeps.length === 0) return (this.depsCache = NO_DEPS);
    const deps: Record<string, unknown> = {};
    for (let i = 0; i + 1 < this.rawDeps.length; i += 2) {
      deps[this.rawDeps[i] as string] = fromJson(this.rawDeps[i + 1] as string);
    }
    return (this.depsCache = deps);
  }
}
