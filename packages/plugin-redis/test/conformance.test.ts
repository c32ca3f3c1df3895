import { describeCoordinatorConformance } from "@flowmesh/core/testing";
import { afterAll } from "vitest";
import { RedisCoordinator } from "../src/index.js";
import { deletePrefix, quietLogger, REDIS_URL, requireRedis, uniquePrefix } from "./helpers.js";

const prefix = uniquePrefix("conformance");
await requireRedis();

afterAll(() => deletePrefix(prefix));

describeCoordinatorConformance(
  "redis",
  () => new RedisCoordinator({ url: REDIS_URL, keyPrefix: prefix, logger: quietLogger() }),
  { slackMs: 200, eagerStart: true },
);
