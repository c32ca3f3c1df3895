import { createFlowMesh, createLogger } from "@flowmesh/core";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { PostgresCoordinator, postgres } from "../src/index.js";
import { DATABASE_URL, dropSchema, uniqueSchema } from "./helpers.js";

const schema = uniqueSchema("plugin");
afterAll(() => dropSchema(schema));

describe("postgres() plugin", () => {
  it("provides the backend: a workflow with a fan-in runs to completion, history kept, health reported", async () => {
    const fm = createFlowMesh({
      plugins: [postgres({ connectionString: DATABASE_URL, schema, poolSize: 3, retention: "7d" })],
      logger: createLogger({ level: "silent" }),
      concurrency: 4,
    });
    try {
      await fm.register({
        name: "sum",
        tasks: [
          { name: "x", handler: (ctx) => (ctx.input as { n: number }).n },
          { name: "y", handler: () => 10 },
          {
            name: "total",
            dependsOn: ["x", "y"],
            handler: (ctx) => (ctx.deps.x as number) + (ctx.deps.y as number),
          },
        ],
      });
      const handle = await fm.start("sum", { n: 5 });
      expect(await handle.result()).toEqual({ x: 5, y: 10, total: 15 });
      const run = await fm.getRun(handle.id);
      expect(run?.status).toBe("succeeded");
      expect(run?.namespace).toBe("default");
      const events = await fm.readEvents(handle.id);
      expect(events.at(0)?.type).toBe("run:created");
      expect(events.at(-1)?.type).toBe("run:succeeded");
      expect(await fm.health()).toMatchObject({ backend: "postgres", healthy: true, queueDepth: 0 });
    } finally {
      await fm.close();
    }
  });

  it("validates its options with clear errors", async () => {
    const cases: [unknown, RegExp][] = [
      [{}, /connectionString.*pass a connectionString or a pool/],
      [{ connectionString: DATABASE_URL, schema: "Bad-Name" }, /option "schema"/],
      [{ connectionString: DATABASE_URL, pollInterval: "soon" }, /option "pollInterval"/],
      [{ connectionString: DATABASE_URL, nope: 1 }, /nope/],
    ];
    for (const [options, message] of cases) {
      const fm = createFlowMesh({
        plugins: [(postgres as (o: unknown) => ReturnType<typeof postgres>)(options)],
        logger: createLogger({ level: "silent" }),
      });
      const refused = fm.ready();
      await expect(refused).rejects.toMatchObject({ code: "FM_ERR_INVALID_OPTIONS" });
      await expect(refused).rejects.toThrow(message);
      await fm.close();
    }
  });

  it("runs 100 diamond DAGs at once: batched claims and set-based completions give the right results, each task once", async () => {
    const backend = new PostgresCoordinator({ connectionString: DATABASE_URL, schema, poolSize: 3 });
    const fm = createFlowMesh({ backend, logger: createLogger({ level: "silent" }), concurrency: 8 });
    try {
      await fm.register({
        name: "diamond",
        tasks: [
          { name: "a", handler: (ctx) => (ctx.input as { n: number }).n },
          { name: "b", dependsOn: ["a"], handler: (ctx) => (ctx.deps.a as number) * 2 },
          { name: "c", dependsOn: ["a"], handler: (ctx) => (ctx.deps.a as number) * 3 },
          {
            name: "d",
            dependsOn: ["b", "c"],
            handler: (ctx) => (ctx.deps.b as number) + (ctx.deps.c as number),
          },
        ],
      });
      const handles = await Promise.all(Array.from({ length: 100 }, (_, n) => fm.start("diamond", { n })));
      const results = await Promise.all(handles.map((h) => h.result()));
      results.forEach((outputs, n) => expect(outputs).toEqual({ a: n, b: 2 * n, c: 3 * n, d: 5 * n }));
      for (const handle of handles.slice(0, 5)) {
        const run = await fm.getRun(handle.id);
        for (const name of ["a", "b", "c", "d"]) expect(run?.tasks[name]?.attempts).toBe(1);
      }
    } finally {
      await fm.close();
    }
  });

  it("uses a caller's pool without ending it", async () => {
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
    const backend = new PostgresCoordinator({ pool, schema });
    const fm = createFlowMesh({ backend, logger: createLogger({ level: "silent" }), concurrency: 2 });
    try {
      await fm.register({ name: "one", tasks: [{ name: "a", handler: () => "done" }] });
      const handle = await fm.start("one");
      expect(await handle.result()).toEqual({ a: "done" });
    } finally {
      await fm.close();
    }
    expect((await pool.query("SELECT 1 AS one")).rows[0]).toEqual({ one: 1 });
    await pool.end();
  });
});
