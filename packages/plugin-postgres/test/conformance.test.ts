import { describeCoordinatorConformance } from "@flowmesh/core/testing";
import { afterAll } from "vitest";
import { PostgresCoordinator } from "../src/index.js";
import { DATABASE_URL, dropSchema, uniqueSchema } from "./helpers.js";

const schema = uniqueSchema("conf");

describeCoordinatorConformance(
  "postgres",
  () => new PostgresCoordinator({ connectionString: DATABASE_URL, schema, poolSize: 4 }),
  { slackMs: 300, eagerStart: true },
);

afterAll(() => dropSchema(schema));
