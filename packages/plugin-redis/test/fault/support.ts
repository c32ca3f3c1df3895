/** The fault tests' side of the worker fixture: an API-only engine, execution records, expected outputs. */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { assertPackagesBuilt, type Execution } from "@flowmesh/core/testing";
import { createFlowMesh, type FlowMesh } from "@flowmesh/core";
import { Redis } from "ioredis";
import { RedisCoordinator } from "../../src/index.js";
import { quietLogger, REDIS_URL } from "../helpers.js";

const here = dirname(fileURLToPath(import.meta.url));
export const WORKER_SCRIPT = join(here, "fixtures", "worker.mjs");

/** Child processes run the built packages: fail with the fix when they are missing. */
export function assertBuilt(): void {
  assertPackagesBuilt(join(here, "..", "..", ".."), ["core", "plugin-redis"]);
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

export async function executions(prefix: string): Promise<Execution[]> {
  const client = new Redis(REDIS_URL);
  try {
    return (await client.lrange(`${prefix}:exec`, 0, -1)).map((line) => JSON.parse(line) as Execution);
  } finally {
    client.disconnect();
  }
}
