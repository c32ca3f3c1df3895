/** The fault tests' side of the worker fixture: an API-only engine, execution records, expected outputs. */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createFlowMesh, type FlowMesh, type RunRecord } from "@flowmesh/core";
import { Redis } from "ioredis";
import { RedisCoordinator } from "../../src/index.js";
import { quietLogger, REDIS_URL } from "../helpers.js";

const here = dirname(fileURLToPath(import.meta.url));
export const WORKER_SCRIPT = join(here, "fixtures", "worker.mjs");

/** Child processes run the built packages: fail with the fix when they are missing. */
export function assertBuilt(): void {
  for (const pkg of ["core", "plugin-redis"]) {
    const entry = join(here, "..", "..", "..", pkg, "dist", "index.js");
    if (!existsSync(entry)) {
      throw new Error(
        `fault tests run worker processes on built packages: ${entry} is missing; run "pnpm build" first`,
      );
    }
  }
}

const refuse = (): never => {
  throw new Error("the API engine of a fault test runs no task");
};

/** An engine that only starts runs and reads them (its workflows mirror the fixture's). */
export async function apiEngine(prefix: string): Promise<FlowMesh> {
  const fm = createFlowMesh({
    backend: new RedisCoordinator({ url: REDIS_URL, keyPrefix: prefix, logger: quietLogger() }),
    worker: false,
    logger: quietLogger(),
  });
  await fm.register({
    name: "dag3",
    tasks: [
      { name: "a", handler: refuse },
      { name: "b", dependsOn: ["a"], handler: refuse },
      { name: "c", dependsOn: ["a", "b"], handler: refuse },
    ],
  });
  const chain = ["t1", "t2", "t3", "t4", "t5"];
  await fm.register({
    name: "chain5",
    tasks: chain.map((name, i) => ({ name, dependsOn: i === 0 ? [] : [chain[i - 1]!], handler: refuse })),
  });
  await fm.register({ name: "slow", tasks: [{ name: "s", handler: refuse }] });
  await fm.ready();
  return fm;
}

/** One task execution, as the fixture records it before running the handler. */
export interface Execution {
  r: string;
  t: string;
  a: number;
  p: number;
}

export async function executions(prefix: string): Promise<Execution[]> {
  const client = new Redis(REDIS_URL);
  try {
    return (await client.lrange(`${prefix}:exec`, 0, -1)).map((line) => JSON.parse(line) as Execution);
  } finally {
    client.disconnect();
  }
}

/** Executions by `run/task`. */
export function byTask(list: readonly Execution[]): Map<string, Execution[]> {
  const map = new Map<string, Execution[]>();
  for (const e of list) {
    const key = `${e.r}/${e.t}`;
    const entry = map.get(key);
    if (entry === undefined) map.set(key, [e]);
    else entry.push(e);
  }
  return map;
}

/** What a dag3 run with input n must produce. */
export function dag3Values(n: number): Record<string, number> {
  return { a: 2 * n, b: 2 * n + 1, c: 4 * n + 1 };
}

/** Each task's committed value (`v`) and the execution (`pid:attempt`) that produced it. */
export function committed(run: RunRecord): Record<string, { v: number; x: string }> {
  const out: Record<string, { v: number; x: string }> = {};
  for (const [name, task] of Object.entries(run.tasks)) out[name] = task.output as { v: number; x: string };
  return out;
}
