/**
 * @flowmesh/plugin-postgres — durable, distributed FlowMesh execution on
 * PostgreSQL: the `postgres()` plugin, the {@link PostgresCoordinator} for
 * `createFlowMesh({ backend })`, and the migration helpers the CLI uses.
 */
export { postgres, postgresOptionsSchema, coordinatorOptions } from "./plugin.js";
export type { PostgresPluginOptions } from "./plugin.js";
export { PostgresCoordinator } from "./coordinator.js";
export type { PostgresCoordinatorOptions, PruneOptions } from "./options.js";
export { DEFAULT_SCHEMA, renderMigrationSql, runMigrations, verifySchema } from "./migrate.js";
export type { RenderMigrationSqlOptions, RunMigrationsOptions } from "./migrate.js";
export { LATEST_VERSION, MIGRATIONS } from "./sql/migrations.js";
export type { Migration } from "./sql/migrations.js";
export { assertSchemaName, channelOf } from "./identifier.js";
