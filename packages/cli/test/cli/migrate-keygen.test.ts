import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, removeProject, runCli, tempProject } from "../helpers.js";

const DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test";

describe("flowmesh migrate (with @flowmesh/plugin-postgres)", { timeout: 90_000 }, () => {
  const schema = `fm_cli_${randomBytes(4).toString("hex")}`;
  const configSchema = `${schema}_cfg`;
  let dir: string;
  let client: pg.Client;

  beforeAll(async () => {
    assertBuilt();
    dir = await tempProject({
      // The config's backend entry gives migrate its URL and schema.
      "flowmesh.config.yaml": [
        "backend:",
        '  - "@flowmesh/plugin-postgres"',
        "  - connectionString: ${TEST_DATABASE_URL}",
        `    schema: ${configSchema}`,
        "",
      ].join("\n"),
    });
    client = new pg.Client({ connectionString: DATABASE_URL });
    // Unreachable Postgres fails the test (CI must never skip it).
    await client.connect();
  });

  afterAll(async () => {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.query(`DROP SCHEMA IF EXISTS "${configSchema}" CASCADE`);
    await client.end();
    await removeProject(dir);
  });

  it("--print prints the SQL for the schema without connecting", async () => {
    const result = await runCli(["migrate", "--print", "--schema", schema], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`"${schema}"`);
    expect(result.stdout).toMatch(/CREATE TABLE/i);
    const exists = await client.query("SELECT 1 FROM information_schema.schemata WHERE schema_name = $1", [
      schema,
    ]);
    expect(exists.rowCount).toBe(0);
  });

  it("applies the migrations once to the given URL and schema, then reports it up to date", async () => {
    const first = await runCli(["migrate", "--url", DATABASE_URL, "--schema", schema], { cwd: dir });
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`applied \\d+ migrations? \\(schema "${schema}"\\)`));
    const tables = await client.query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1",
      [schema],
    );
    expect(tables.rowCount).toBeGreaterThan(1);
    const again = await runCli(["migrate", "--url", DATABASE_URL, "--schema", schema], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("up to date");
  });

  it("takes the URL and schema from the config's postgres backend entry", async () => {
    const result = await runCli(["migrate"], { cwd: dir, env: { TEST_DATABASE_URL: DATABASE_URL } });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`(schema "${configSchema}")`);
    const exists = await client.query("SELECT 1 FROM information_schema.schemata WHERE schema_name = $1", [
      configSchema,
    ]);
    expect(exists.rowCount).toBe(1);
  });

  it("exits 2 when there is no database to migrate", async () => {
    const empty = await tempProject();
    try {
      const result = await runCli(["migrate"], { cwd: empty, env: { DATABASE_URL: undefined } });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/pass --url/);
    } finally {
      await removeProject(empty);
    }
  });

  it("exits 1 when the database cannot be reached", async () => {
    const result = await runCli(
      ["migrate", "--url", "postgres://postgres@127.0.0.1:1/none", "--schema", schema],
      {
        cwd: dir,
      },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error \[FM_ERR_\w+\]: /);
  });
});

describe("flowmesh keygen (with @flowmesh/plugin-auth)", { timeout: 60_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    assertBuilt();
    dir = await tempProject();
  });
  afterAll(() => removeProject(dir));

  it("prints a new key once and the digest that goes in the config", async () => {
    const result = await runCli(["keygen", "--user", "ci-bot", "--role", "runner", "viewer"], { cwd: dir });
    expect(result.code).toBe(0);
    const key = /^\s+(fm_[A-Za-z0-9_-]{43})$/m.exec(result.stdout)?.[1];
    const digest = /^\s+(sha256:[0-9a-f]{64})$/m.exec(result.stdout)?.[1];
    expect(key).toBeDefined();
    expect(digest).toBeDefined();
    const { createHash } = await import("node:crypto");
    expect(digest).toBe(`sha256:${createHash("sha256").update(key!).digest("hex")}`);
    expect(result.stdout).toContain('user: "ci-bot"');
    expect(result.stdout).toContain('roles: ["runner", "viewer"]');
  });

  it("--json prints the key and digest, different every time", async () => {
    const [a, b] = await Promise.all([
      runCli(["keygen", "--json"], { cwd: dir }),
      runCli(["keygen", "--json"], { cwd: dir }),
    ]);
    const first = JSON.parse(a.stdout) as { key: string; digest: string };
    const second = JSON.parse(b.stdout) as { key: string; digest: string };
    expect(first.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(first.key).not.toBe(second.key);
  });
});
