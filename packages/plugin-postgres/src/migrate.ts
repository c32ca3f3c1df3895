/**
 * Applying the embedded migrations: under a session advisory lock (so workers
 * starting together apply them once, one after another), each in its own
 * transaction, recorded in `<schema>.migrations`. A database that has a
 * migration this code does not know is refused: an older worker must not run
 * against a newer schema.
 */
import { FlowMeshError } from "@flowmesh/core";
import pg from "pg";
import { assertSchemaName, quoteIdent } from "./identifier.js";
import { LATEST_VERSION, MIGRATIONS, migrationsTableSql, recordSql } from "./sql/migrations.js";

export const DEFAULT_SCHEMA = "flowmesh";

export interface RunMigrationsOptions {
  /** Connect with this URL (ignored when `pool` is given). */
  connectionString?: string;
  /** Use this pool; it is left open. */
  pool?: pg.Pool;
  /** @default "flowmesh" */
  schema?: string;
}

export interface RenderMigrationSqlOptions {
  /** @default "flowmesh" */
  schema?: string;
}

/**
 * All the SQL the package applies, in order, as one script a DBA can review
 * and run (`psql -v ON_ERROR_STOP=1 -f`). Each migration is wrapped in a
 * transaction and recorded, exactly as `runMigrations` would do it.
 */
export function renderMigrationSql(options: RenderMigrationSqlOptions = {}): string {
  const schema = assertSchemaName(options.schema ?? DEFAULT_SCHEMA, "renderMigrationSql");
  const parts = [
    `-- FlowMesh PostgreSQL schema "${schema}", migrations 1 to ${LATEST_VERSION}.`,
    `-- Apply once; a migration already recorded in ${quoteIdent(schema)}.migrations must be skipped.`,
    migrationsTableSql(schema),
  ];
  for (const migration of MIGRATIONS) {
    parts.push(
      `-- migration ${migration.version}: ${migration.name}\nBEGIN;${migration.sql(schema)}${recordSql(schema, migration)}\nCOMMIT;`,
    );
  }
  return parts.join("\n\n") + "\n";
}

/** Applies the migrations the database lacks; returns their names (`"1_initial"`). */
export async function runMigrations(options: RunMigrationsOptions): Promise<{ applied: string[] }> {
  const schema = assertSchemaName(options.schema ?? DEFAULT_SCHEMA, "runMigrations");
  if (options.pool === undefined && options.connectionString === undefined) {
    throw new FlowMeshError("FM_ERR_INVALID_OPTIONS", "runMigrations: pass a connectionString or a pool", {
      details: { path: "connectionString" },
    });
  }
  const client =
    options.pool !== undefined
      ? await options.pool.connect()
      : new pg.Client({ connectionString: options.connectionString, application_name: "flowmesh-migrate" });
  const own = options.pool === undefined;
  try {
    if (own) await client.connect();
    return await migrateWith(client, schema);
  } catch (error) {
    throw asMigrationError(error, schema);
  } finally {
    if (own) await client.end().catch(() => undefined);
    else (client as pg.PoolClient).release();
  }
}

/** Checks, without changing anything, that the schema is exactly at this code's version (for `migrate: false`). */
export async function verifySchema(pool: pg.Pool, schema: string): Promise<void> {
  let versions: number[];
  try {
    versions = await appliedVersions(pool, schema);
  } catch (error) {
    throw asMigrationError(error, schema);
  }
  assertNotNewer(versions, schema);
  const missing = MIGRATIONS.filter((m) => !versions.includes(m.version));
  if (missing.length > 0) {
    throw new FlowMeshError(
      "FM_ERR_MIGRATION",
      `schema "${schema}" lacks migration(s) ${missing.map(label).join(", ")} and the backend was started with migrate: false: apply them (flowmesh migrate, or renderMigrationSql() for a DBA) first`,
      { details: { schema, missing: missing.map(label) } },
    );
  }
}

async function migrateWith(client: pg.ClientBase, schema: string): Promise<{ applied: string[] }> {
  const lockKey = `flowmesh:migrate:${schema}`;
  await client.query("SELECT pg_advisory_lock(hashtext($1))", [lockKey]);
  try {
    await client.query(migrationsTableSql(schema));
    const versions = await appliedVersions(client, schema);
    assertNotNewer(versions, schema);
    const applied: string[] = [];
    for (const migration of MIGRATIONS) {
      if (versions.includes(migration.version)) continue;
      await client.query("BEGIN");
      try {
        await client.query(migration.sql(schema));
        await client.query(recordSql(schema, migration));
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw new FlowMeshError(
          "FM_ERR_MIGRATION",
          `migration ${label(migration)} of schema "${schema}" failed: ${(error as Error).message}`,
          { details: { schema, migration: label(migration) }, cause: error },
        );
      }
      applied.push(label(migration));
    }
    return { applied };
  } finally {
    await client.query("SELECT pg_advisory_unlock(hashtext($1))", [lockKey]).catch(() => undefined);
  }
}

async function appliedVersions(db: pg.ClientBase | pg.Pool, schema: string): Promise<number[]> {
  const exists = await db.query<{ t: string | null }>("SELECT to_regclass($1) AS t", [
    `${quoteIdent(schema)}.migrations`,
  ]);
  if (exists.rows[0]?.t === null) return [];
  const result = await db.query<{ version: number }>(
    `SELECT version FROM ${quoteIdent(schema)}.migrations ORDER BY version`,
  );
  return result.rows.map((row) => row.version);
}

function assertNotNewer(versions: readonly number[], schema: string): void {
  const unknown = versions.filter((v) => v > LATEST_VERSION);
  if (unknown.length > 0) {
    throw new FlowMeshError(
      "FM_ERR_MIGRATION",
      `schema "${schema}" has migration(s) ${unknown.join(", ")}, newer than this @flowmesh/plugin-postgres knows (up to ${LATEST_VERSION}): upgrade the package before starting this worker`,
      { details: { schema, unknown, latest: LATEST_VERSION } },
    );
  }
}

function label(migration: { version: number; name: string }): string {
  return `${migration.version}_${migration.name}`;
}

function asMigrationError(error: unknown, schema: string): FlowMeshError {
  if (error instanceof FlowMeshError) return error;
  return new FlowMeshError(
    "FM_ERR_MIGRATION",
    `migrating schema "${schema}" failed: ${(error as Error)?.message ?? String(error)}`,
    { details: { schema }, cause: error },
  );
}
