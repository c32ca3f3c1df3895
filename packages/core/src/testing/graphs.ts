/**
 * Small helpers for backend tests: run graphs built in one line, polling, and
 * event-id ordering. The conformance suite uses them; plugin authors can use
 * them for their backend-specific cases.
 */
import type { ClaimedTask, Coordinator, GraphTask, RunGraph } from "../backend/types.js";

/** One graph task. */
export function task(name: string, dependsOn: readonly string[] = [], priority = 0): GraphTask {
  return { name, dependsOn: [...dependsOn], priority };
}

/** A graph from tasks given in topological order. */
export function graph(...tasks: GraphTask[]): RunGraph {
  return { tasks };
}

/** `chain("a", "b", "c")`: a → b → c. */
export function chain(...names: string[]): RunGraph {
  return graph(...names.map((name, i) => task(name, i === 0 ? [] : [names[i - 1] ?? ""])));
}

/** Independent root tasks, all ready at once. */
export function parallel(...names: string[]): RunGraph {
  return graph(...names.map((name) => task(name)));
}

/** `diamond()`: a → (b, c) → d. */
export function diamond(top = "a", left = "b", right = "c", bottom = "d"): RunGraph {
  return graph(task(top), task(left, [top]), task(right, [top]), task(bottom, [left, right]));
}

/** Resolves after `ms` real milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface WaitForOptions {
  /** @default 1000 */
  timeoutMs?: number;
  /** @default 20 */
  intervalMs?: number;
  /** Names what was awaited in the timeout error. */
  what?: string;
}

/** Polls `probe` until it returns something other than `undefined`, or throws after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  options: WaitForOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 1000;
  const intervalMs = options.intervalMs ?? 20;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) {
      throw new Error(`waitFor: ${options.what ?? "condition"} not met within ${timeoutMs} ms`);
    }
    await sleep(intervalMs);
  }
}

export interface ClaimAllOptions {
  /** @default "test-worker" */
  workerId?: string;
  /** @default 30000 */
  leaseMs?: number;
  /** Batch size of each claim call. @default 10 */
  max?: number;
  /** Keep only tasks of this run (others claimed on the way stay leased until they expire). */
  runId?: string;
  /** Upper bound on claim calls. @default 50 */
  maxRounds?: number;
}

/** Claims until a claim call returns nothing, and returns every task claimed (of `runId` when given). */
export async function claimAll(
  coordinator: Coordinator,
  options: ClaimAllOptions = {},
): Promise<ClaimedTask[]> {
  const request = {
    workerId: options.workerId ?? "test-worker",
    max: options.max ?? 10,
    leaseMs: options.leaseMs ?? 30_000,
  };
  const claimed: ClaimedTask[] = [];
  for (let round = 0; round < (options.maxRounds ?? 50); round++) {
    const batch = await coordinator.claim(request);
    if (batch.length === 0) break;
    claimed.push(...batch.filter((t) => options.runId === undefined || t.runId === options.runId));
  }
  return claimed;
}

/**
 * Orders two event ids of one run. Ids made of dot-free numeric segments —
 * `"42"`, or Redis-stream-like `"1700000000000-3"` — compare segment by
 * segment as integers; anything else compares as plain strings.
 */
export function compareEventIds(a: string, b: string): number {
  if (NUMERIC_ID.test(a) && NUMERIC_ID.test(b)) {
    const left = a.split("-").map(BigInt);
    const right = b.split("-").map(BigInt);
    for (let i = 0; i < Math.max(left.length, right.length); i++) {
      const x = left[i] ?? -1n;
      const y = right[i] ?? -1n;
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

const NUMERIC_ID = /^\d+(-\d+)*$/;
