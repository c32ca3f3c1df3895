/** FlowMesh's side of the Postgres benchmark: the `postgres()` plugin in the suite's own schema, default settings. */
import { postgres } from "@flowmesh/plugin-postgres";
import { flowmeshContenders, type FlowMeshBackend } from "../flowmesh/contenders.js";
import { PG_URL, SCHEMAS } from "./config.js";

export const postgresBackend: FlowMeshBackend = {
  plugins: () => [postgres({ connectionString: PG_URL, schema: SCHEMAS.flowmesh })],
};

export function flowmeshPostgresContenders(): ReturnType<typeof flowmeshContenders> {
  return flowmeshContenders(postgresBackend);
}
