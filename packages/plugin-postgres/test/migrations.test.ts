import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { LATEST_VERSION, PostgresCoordinator, renderMigrationSql, runMigrations } from "../src/index.js";
import { adminPool, DATABASE_URL, dropSchema, uniqueSchema } from "./helpers.js";

const schemas: string[] = [];
const fresh = (label: string): string => {
  const schema = uniqueSchema(label);
  schemas.push(schema);
  return schema;
};
const admin = adminPool();

afterAll(async () => {
  await admin.end();
  for (const schema of schemas) await dropSchema(schema);
});

async function versions(schema: string): Promise<number[]> {
  const rows = await admin.query<{ version: number }>(
    `SELECT version FROM "${schema}".migrations ORDER BY version`,
  );
  return rows.rows.map((r) => r.version);
}

describe("migrations", () => {
  it("serialise concurrent starts: two coordinators migrate one fresh schema once, recording each version", async () => {
    const schema = fresh("mig_conc");
    const [a, b] = [0, 1].map(
      () => new PostgresCoordinator({ connectionString: DATABASE_URL, schema, poolSize: 2 }),
    );
    try {
      await Promise.all([a!.start(), b!.start()]);
      expect(await versions(schema)).toEqual(Array.from({ length: LATEST_VERSION }, (_, i) => i + 1));
      expect(await a!.queueDepth()).toBe(0);
      expect(await b!.queueDepth()).toBe(0);
    } finally {
      await Promise.all([a!.close(), b!.close()]);
    }
  });

  it("runMigrations applies each migration exactly once under concurrent callers", async () => {
    const schema = fresh("mig_run");
    const results = await Promise.all(
      Array.from({ length: 3 }, () => runMigrations({ connectionString: DATABASE_URL, schema })),
    );
    expect(results.flatMap((r) => r.applied)).toEqual(["1_initial", "2_eager_start"]);
    expect(await runMigrations({ connectionString: DATABASE_URL, schema })).toEqual({ applied: [] });
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
    try {
      expect(await runMigrations({ pool, schema })).toEqual({ applied: [] });
      // The caller's pool is left open.
      expect((await pool.query("SELECT 1 AS one")).rows[0]).toEqual({ one: 1 });
    } finally {
      await pool.end();
    }
  });

  it("upgrades a schema an earlier version left at migration 1: its runs go on, and new runs start eagerly", async () => {
    const schema = fresh("mig_up");
    // What the previous release applied: migration 1 only.
    await admin.query(renderMigrationSql({ schema }).split("-- migration 2:")[0]!);
    expect(await versions(schema)).toEqual([1]);
    const c = new PostgresCoordinator({ connectionString: DATABASE_URL, schema, poolSize: 2 });
    try {
      await c.start();
      expect(await versions(schema)).toEqual([1, 2]);
      const graph = { tasks: [{ name: "a", dependsOn: [], priority: 0 }] };
      const base = { workflow: "wf", version: "1", namespace: "default", input: {}, graph };
      const plain = await c.createRun({ ...base, id: randomUUID() });
      expect(plain.claimed).toBeUndefined();
      const eager = await c.createRun({
        ...base,
        id: randomUUID(),
        claim: { workerId: "w", max: 1, leaseMs: 30_000 },
      });
      expect(eager.claimed?.map((t) => [t.runId, t.task, t.attempt])).toEqual([[eager.run.id, "a", 1]]);
      expect(await c.queueDepth()).toBe(1);
    } finally {
      await c.close();
    }
  });

  it("refuses to start (FM_ERR_MIGRATION) when the database has a migration this code does not know", async () => {
    const schema = fresh("mig_newer");
    await runMigrations({ connectionString: DATABASE_URL, schema });
    await admin.query(
      `INSERT INTO "${schema}".migrations (version, name) VALUES (${LATEST_VERSION + 1}, 'future')`,
    );
    for (const migrate of [true, false]) {
      const c = new PostgresCoordinator({ connectionString: DATABASE_URL, schema, migrate });
      await expect(c.start()).rejects.toMatchObject({ code: "FM_ERR_MIGRATION" });
      await c.close();
    }
    const refused = runMigrations({ connectionString: DATABASE_URL, schema });
    await expect(refused).rejects.toMatchObject({ code: "FM_ERR_MIGRATION" });
    await expect(refused).rejects.toThrow("newer than this");
  });

  it("with migrate: false, refuses an unmigrated schema and changes nothing, then starts once it is migrated", async () => {
    const schema = fresh("mig_off");
    const c = new PostgresCoordinator({ connectionString: DATABASE_URL, schema, migrate: false });
    const refused = c.start();
    await expect(refused).rejects.toMatchObject({ code: "FM_ERR_MIGRATION" });
    await expect(refused).rejects.toThrow("migrate: false");
    await c.close();
    const exists = await admin.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [schema]);
    expect(exists.rowCount).toBe(0);
    await runMigrations({ connectionString: DATABASE_URL, schema });
    const started = new PostgresCoordinator({ connectionString: DATABASE_URL, schema, migrate: false });
    try {
      await started.start();
      expect(await started.queueDepth()).toBe(0);
    } finally {
      await started.close();
    }
  });

  it("renderMigrationSql gives a DBA script that, applied as is, satisfies migrate: false", async () => {
    const schema = fresh("mig_dba");
    const sql = renderMigrationSql({ schema });
    expect(sql).toContain(`CREATE TABLE "${schema}".runs`);
    expect(sql).toContain(`CREATE INDEX tasks_queue ON "${schema}".tasks`);
    expect(sql).toContain(`INSERT INTO "${schema}".migrations (version, name) VALUES (1, 'initial')`);
    expect(sql).toContain(`INSERT INTO "${schema}".migrations (version, name) VALUES (2, 'eager_start')`);
    expect(renderMigrationSql()).toContain('CREATE TABLE "flowmesh".runs');
    await admin.query(sql);
    expect(await versions(schema)).toEqual([1, 2]);
    const c = new PostgresCoordinator({ connectionString: DATABASE_URL, schema, migrate: false });
    try {
      await c.start();
      expect(await c.queueDepth()).toBe(0);
    } finally {
      await c.close();
    }
  });

  it("validates the schema name as an identifier (FM_ERR_INVALID_OPTIONS)", () => {
    for (const bad of ['x"; DROP TABLE y; --', "Upper", "1abc", "", "a".repeat(49)]) {
      expect(() => renderMigrationSql({ schema: bad })).toThrow(
        expect.objectContaining({ code: "FM_ERR_INVALID_OPTIONS" }),
      );
      expect(() => new PostgresCoordinator({ connectionString: DATABASE_URL, schema: bad })).toThrow(
        expect.objectContaining({ code: "FM_ERR_INVALID_OPTIONS" }),
      );
    }
  });
});
