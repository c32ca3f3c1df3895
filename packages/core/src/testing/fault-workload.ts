/**
 * The workload the backends' process fault tests share: the `dag3` workflow
 * whose worker fixture records every execution before running it, and the
 * checks on what was executed and committed. Recording and reading the
 * executions is each backend's own (a list in Redis, a table in Postgres).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { RunRecord } from "../types.js";

/** One task execution, as a worker fixture records it before running the handler. */
export interface Execution {
  /** Run id. */
  r: string;
  /** Task name. */
  t: string;
  /** Attempt. */
  a: number;
  /** The executing process id. */
  p: number;
}

/** Executions by `run/task`. */
export function executionsByTask(list: readonly Execution[]): Map<string, Execution[]> {
  const map = new Map<string, Execution[]>();
  for (const e of list) {
    const key = `${e.r}/${e.t}`;
    const entry = map.get(key);
    if (entry === undefined) map.set(key, [e]);
    else entry.push(e);
  }
  return map;
}

/** What a `dag3` run (a; b after a; c after a and b) with input n must produce. */
export function dag3Values(n: number): Record<string, number> {
  return { a: 2 * n, b: 2 * n + 1, c: 4 * n + 1 };
}

/** Each task's committed value (`v`) and the execution (`pid:attempt`) that produced it. */
export function committedOutputs(run: RunRecord): Record<string, { v: number; x: string }> {
  const out: Record<string, { v: number; x: string }> = {};
  for (const [name, task] of Object.entries(run.tasks)) out[name] = task.output as { v: number; x: string };
  return out;
}

/**
 * Worker processes run built packages: throws, naming the fix, when one of
 * `packages` (folder names under `packagesDir`) has no `dist/index.js`.
 */
export function assertPackagesBuilt(packagesDir: string, packages: readonly string[]): void {
  for (const pkg of packages) {
    const entry = join(packagesDir, pkg, "dist", "index.js");
    if (!existsSync(entry)) {
      throw new Error(
        `fault tests run worker processes on built packages: ${entry} is missing; run "pnpm build" first`,
      );
    }
  }
}
