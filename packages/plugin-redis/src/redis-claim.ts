/** A claimed task as the claim script returns it; input and deps are parsed only when read. */
import type { ClaimedTask } from "@flowmesh/core/plugin";
import { fromJson } from "./codec.js";

const NO_DEPS: Record<string, unknown> = Object.freeze({});

export class RedisClaim implements ClaimedTask {
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

  /** `entry` is one element of the claim script's reply. */
  constructor(entry: readonly unknown[]) {
    this.runId = entry[0] as string;
    this.index = Number(entry[1]);
    this.task = entry[2] as string;
    this.token = entry[3] as string;
    this.attempt = Number(entry[4]);
    this.roundAttempt = Number(entry[5]);
    this.workflow = entry[6] as string;
    this.version = entry[7] as string;
    this.rawInput = entry[8] as string;
    this.readyAt = Number(entry[9]);
    this.leaseExpiresAt = Number(entry[10]);
    this.rawDeps = entry.length > 11 ? entry.slice(11) : [];
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
