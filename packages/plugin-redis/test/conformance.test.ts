import { describeCoordinatorConformance } from "@flowmesh/core/testing";
import { afterAll } from "vitest";
import { RedisCoordinator } from "../src/index.js";
import { deletePrefix, quietLogger, REDIS_URL, redisAvailable, uniquePrefix } from "./helpers.js";

const prefix = uniquePrefix("conformance");
const available = await redisAvailable();

afterAll(() => deletePrefix(prefix));

if (available) {
  describeCoordinatorConformance(
    "redis",
    () => new RedisCoordinator({ url: REDIS_URL, keyPrefix: prefix, logger: quietLogger() }),
    { slackMs: 200 },
  );
}
