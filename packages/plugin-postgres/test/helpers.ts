/** Shared by the Postgres tests: the test server, a unique schema per test file, cleanup. */
import { randomUUID } from "node:crypto";
import pg from "pg";

export const DATABASE_URL =
  process.env.FLOWMESH_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** A schema name no other test run uses. */
export function uniqueSchema(label: string): string {
  return `fmt_${label}_${randomUUID().replace(/-/g, "").slice(0, 12)}`;
}

/** A one-connection pool for test-side queries. */
export function adminPool(applicationName = "flowmesh-test-admin"): pg.Pool {
  return new pg.Pool({ connectionString: DATABASE_URL, max: 2, application_name: applicationName });
}

/** Drops a test schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  const pool = adminPool();
  try {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await pool.end();
  }
}
