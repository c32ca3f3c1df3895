/**
 * The migrations this version of the package knows, in order. A migration is
 * never edited once released: schema changes come as a new entry.
 */
import { quoteIdent } from "../identifier.js";
import { functionsSql } from "./v1-functions.js";
import { tablesSql } from "./v1-tables.js";
import { eagerStartSql } from "./v2-eager-start.js";

export interface Migration {
  /** Increasing from 1, without gaps. */
  version: number;
  name: string;
  /** The SQL for a schema (validated, unquoted name). */
  sql(schema: string): string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "initial",
    sql: (schema) => tablesSql(quoteIdent(schema)) + functionsSql(quoteIdent(schema)),
  },
  {
    version: 2,
    name: "eager_start",
    sql: (schema) => eagerStartSql(quoteIdent(schema)),
  },
];

/** The highest migration version this code knows. */
export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** The bookkeeping table, created before any migration runs. */
export function migrationsTableSql(schema: string): string {
  const S = quoteIdent(schema);
  return `CREATE SCHEMA IF NOT EXISTS ${S};
CREATE TABLE IF NOT EXISTS ${S}.migrations (
  version    integer PRIMARY KEY,
  name       text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);`;
}

/** Records one applied migration. */
export function recordSql(schema: string, migration: Migration): string {
  return `INSERT INTO ${quoteIdent(schema)}.migrations (version, name) VALUES (${migration.version}, '${migration.name.replace(/'/g, "''")}');`;
}
