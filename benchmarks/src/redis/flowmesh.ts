/** FlowMesh's side of the Redis benchmark: the `redis()` plugin on the suite's database and key prefix. */
import { redis } from "@flowmesh/plugin-redis";
import { flowmeshContenders, type FlowMeshBackend } from "../flowmesh/contenders.js";
import { KEY_PREFIX, redisUrl } from "./config.js";

export const redisBackend: FlowMeshBackend = {
  plugins: () => [redis({ url: redisUrl(), keyPrefix: KEY_PREFIX })],
};

export function flowmeshRedisContenders(): ReturnType<typeof flowmeshContenders> {
  return flowmeshContenders(redisBackend);
}
