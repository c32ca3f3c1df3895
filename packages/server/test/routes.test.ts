import { handlers, NonRetryableError, type RunRecord } from "@flowmesh/core";
import { describe, expect, it } from "vitest";
import { eventually, useServers } from "./support.js";

const serve = useServers();

const ETL_YAML = `name: etl
description: extract then load
tasks:
  - name: extract
  - name: load
    depends_on: [extract]
    timeout: 30
`;

let failLoad = true;
const taskHandlers = handlers({
  extract: () => ({ rows: 3 }),
  load: (ctx) => {
    if (failLoad) throw new NonRetryableError("warehouse down");
    return { loaded: (ctx.deps as { extract: { rows: number } }).extract.rows };
  },
  slow: async (ctx) => {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, 10_000);
      ctx.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        reject(ctx.signal.reason as Error);
      });
    });
  },
});

async function withEtl() {
  const served = await serve({ plugins: [taskHandlers] });
  const res = await served.call("/workflows", {
    method: "POST",
    headers: { "content-type": "application/yaml" },
    body: ETL_YAML,
  });
  expect(res.status).toBe(201);
  return served;
}

async function finished(call: (path: string) => Promise<Response>, id: string): Promise<RunRecord> {
  return eventually(async () => {
    const run = (await (await call(`/runs/${id}`)).json()) as RunRecord;
    return ["succeeded", "failed", "cancelled", "timed_out"].includes(run.status) ? run : undefined;
  });
}

describe("health and docs", () => {
  it("GET /healthz answers 200 and /readyz reports the backend and worker", async () => {
    const { call } = await serve();
    const health = await call("/healthz");
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const ready = await call("/readyz");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: "ready",
      backend: "memory",
      healthy: true,
      queueDepth: 0,
    });
  });

  it("GET /readyz answers 503 when the backend does not answer", async () => {
    const { call, engine } = await serve();
    await call("/healthz");
    engine.health = () => Promise.reject(new Error("connection refused"));
    const ready = await call("/readyz");
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("FM_ERR_BACKEND");
    expect(JSON.stringify(body)).not.toContain("connection refused");
  });

  it("serves an OpenAPI 3.1 document with every route and core's workflow schema, and a docs page", async () => {
    const { call } = await serve();
    const res = await call("/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      servers: { url: string }[];
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.servers).toEqual([{ url: "/" }]);
    expect(Object.keys(doc.paths).sort()).toEqual([
      "/docs",
      "/healthz",
      "/openapi.json",
      "/readyz",
      "/runs",
      "/runs/{id}",
      "/runs/{id}/cancel",
      "/runs/{id}/events",
      "/runs/{id}/retry",
      "/workflows",
      "/workflows/{name}",
      "/workflows/{name}/runs",
      "/workflows/{name}/versions",
      "/workflows/{name}/versions/{version}",
    ]);
    expect(Object.keys(doc.paths["/runs"]!).sort()).toEqual(["get", "post"]);
    expect(doc.components.schemas.WorkflowDefinition!.properties).toHaveProperty("tasks");
    expect(JSON.stringify(doc)).not.toContain("#/$defs/");
    const page = await call("/docs");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain("openapi.json");
  });
});

describe("workflows", () => {
  it("registers a YAML workflow and a JSON one, then lists and reads them with every version", async () => {
    const { call } = await withEtl();
    const json = await call("/workflows", {
      method: "POST",
      json: { name: "etl", version: 2, namespace: "team-a", tasks: [{ name: "extract" }] },
    });
    expect(json.status).toBe(201);
    expect(json.headers.get("location")).toBe("/workflows/etl/versions/2");
    expect(await json.json()).toMatchObject({
      name: "etl",
      version: "2",
      namespace: "team-a",
      versions: ["1", "2"],
    });

    const list = (await (await call("/workflows")).json()) as { workflows: unknown[] };
    expect(list.workflows).toEqual([
      { name: "etl", namespace: "team-a", latestVersion: "2", versions: ["1", "2"], tasks: ["extract"] },
    ]);
    const latest = (await (await call("/workflows/etl")).json()) as { version: string };
    expect(latest.version).toBe("2");
    const v1 = await call("/workflows/etl/versions/1");
    expect(await v1.json()).toMatchObject({
      version: "1",
      namespace: "default",
      definition: {
        name: "etl",
        description: "extract then load",
        tasks: [{ name: "extract" }, { name: "load", dependsOn: ["extract"], timeout: 30 }],
      },
    });
    const versions = (await (await call("/workflows/etl/versions")).json()) as {
      versions: { version: string }[];
    };
    expect(versions.versions.map((v) => v.version)).toEqual(["1", "2"]);
    expect((await call("/workflows/nope")).status).toBe(404);
    expect((await call("/workflows/etl/versions/9")).status).toBe(404);
  });

  it("reports YAML errors with line and column, and unresolved handlers, as 422", async () => {
    const { call } = await serve({ plugins: [taskHandlers] });
    const bad = await call("/workflows", {
      method: "POST",
      headers: { "content-type": "text/yaml" },
      body: "name: x\ntasks:\n  - name: a\n    depends_on: [b]\n",
    });
    expect(bad.status).toBe(422);
    const body = (await bad.json()) as {
      error: {
        code: string;
        message: string;
        details: { issues: { line: number; column: number; path: string }[] };
      };
    };
    expect(body.error.code).toBe("FM_ERR_INVALID_DEFINITION");
    expect(body.error.message).toMatch(/^<input>:4:\d+ tasks\[0\]\.depends_on\[0\]: unknown task "b"/);
    expect(body.error.details.issues[0]).toMatchObject({ line: 4, path: "tasks[0].depends_on[0]" });

    const unresolved = await call("/workflows", {
      method: "POST",
      json: { name: "y", tasks: [{ name: "nowhere" }] },
    });
    expect(unresolved.status).toBe(422);
    expect(((await unresolved.json()) as { error: { code: string } }).error.code).toBe(
      "FM_ERR_UNRESOLVED_HANDLER",
    );

    const unsupported = await call("/workflows", {
      method: "POST",
      headers: { "content-type": "image/png" },
      body: "x",
    });
    expect(unsupported.status).toBe(415);
  });
});

describe("runs", () => {
  it("starts a run, records who and when, and reports per-task state, attempts, outputs, errors and timings", async () => {
    failLoad = true;
    const { call } = await withEtl();
    const started = await call("/runs", { method: "POST", json: { workflow: "etl", input: { day: "mon" } } });
    expect(started.status).toBe(201);
    const created = (await started.json()) as RunRecord;
    expect(started.headers.get("location")).toBe(`/runs/${created.id}`);
    expect(created).toMatchObject({
      workflow: "etl",
      version: "1",
      namespace: "default",
      input: { day: "mon" },
    });
    const run = await finished(call, created.id);
    expect(run.status).toBe("failed");
    expect(run.taskOrder).toEqual(["extract", "load"]);
    expect(run.tasks.extract).toMatchObject({ status: "succeeded", attempts: 1, output: { rows: 3 } });
    expect(run.tasks.extract!.startedAt).toBeTypeOf("number");
    expect(run.tasks.extract!.durationMs).toBeTypeOf("number");
    expect(run.tasks.load).toMatchObject({
      status: "failed",
      attempts: 1,
      error: { message: "warehouse down" },
    });
    // No stack traces in responses.
    expect(JSON.stringify(run)).not.toContain("stack");
  });

  it("starts a run through POST /workflows/{name}/runs with a version", async () => {
    failLoad = false;
    const { call } = await withEtl();
    const res = await call("/workflows/etl/runs", { method: "POST", json: { version: "1", input: 7 } });
    expect(res.status).toBe(201);
    const run = await finished(call, ((await res.json()) as RunRecord).id);
    expect(run).toMatchObject({ status: "succeeded", input: 7, tasks: { load: { output: { loaded: 3 } } } });
    expect((await call("/workflows/nope/runs", { method: "POST", json: {} })).status).toBe(404);
    expect((await call("/workflows/etl/runs", { method: "POST", json: { version: "9" } })).status).toBe(404);
    expect((await call("/runs/does-not-exist")).status).toBe(404);
  });

  it("lists runs newest first with workflow, status and time filters and cursor pagination", async () => {
    failLoad = false;
    const { call, engine } = await withEtl();
    await engine.register({ name: "other", tasks: [{ name: "extract" }] });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await call("/runs", {
        method: "POST",
        json: { workflow: i === 4 ? "other" : "etl", input: i },
      });
      ids.push(((await res.json()) as RunRecord).id);
    }
    for (const id of ids) await finished(call, id);
    const all = (await (await call("/runs")).json()) as { runs: RunRecord[] };
    expect(all.runs.map((r) => r.id)).toEqual([...ids].reverse());

    const page1 = (await (await call("/runs?workflow=etl&limit=2")).json()) as {
      runs: RunRecord[];
      nextCursor: string;
    };
    expect(page1.runs.map((r) => r.id)).toEqual([ids[3], ids[2]]);
    const page2 = (await (
      await call(`/runs?workflow=etl&limit=2&cursor=${encodeURIComponent(page1.nextCursor)}`)
    ).json()) as {
      runs: RunRecord[];
      nextCursor?: string;
    };
    expect(page2.runs.map((r) => r.id)).toEqual([ids[1], ids[0]]);

    const byStatus = (await (await call("/runs?status=failed,cancelled")).json()) as { runs: RunRecord[] };
    expect(byStatus.runs).toEqual([]);
    const succeeded = (await (await call("/runs?status=succeeded&workflow=other")).json()) as {
      runs: RunRecord[];
    };
    expect(succeeded.runs.map((r) => r.id)).toEqual([ids[4]]);

    const future = new Date(Date.now() + 60_000).toISOString();
    expect(((await (await call(`/runs?createdAfter=${future}`)).json()) as { runs: unknown[] }).runs).toEqual(
      [],
    );
    const before = (await (await call(`/runs?createdBefore=${future}&limit=1`)).json()) as {
      runs: RunRecord[];
    };
    expect(before.runs.map((r) => r.id)).toEqual([ids[4]]);

    const bad = await call("/runs?limit=0&createdAfter=yesterday&extra=1");
    expect(bad.status).toBe(422);
    const issues = ((await bad.json()) as { error: { details: { issues: { path: string; in: string }[] } } })
      .error.details.issues;
    expect(issues.map((i) => `${i.in}:${i.path}`).sort()).toEqual([
      "query:createdAfter",
      "query:extra",
      "query:limit",
    ]);
  });

  it("cancels a running run and retries a failed one from a task", async () => {
    failLoad = true;
    const { call, engine } = await withEtl();
    await engine.register({ name: "slowpoke", tasks: [{ name: "slow" }] });
    const slow = (await (
      await call("/runs", { method: "POST", json: { workflow: "slowpoke" } })
    ).json()) as RunRecord;
    await eventually(async () =>
      ((await (await call(`/runs/${slow.id}`)).json()) as RunRecord).status === "running" ? true : undefined,
    );
    const cancelled = await call(`/runs/${slow.id}/cancel`, {
      method: "POST",
      json: { reason: "no longer needed" },
    });
    expect(cancelled.status).toBe(200);
    expect(((await cancelled.json()) as RunRecord).status).toBe("cancelled");

    const failed = (await (
      await call("/runs", { method: "POST", json: { workflow: "etl" } })
    ).json()) as RunRecord;
    expect((await finished(call, failed.id)).status).toBe("failed");
    failLoad = false;
    const retried = await call(`/runs/${failed.id}/retry`, { method: "POST", json: { fromTask: "extract" } });
    expect(retried.status).toBe(200);
    const after = await finished(call, failed.id);
    expect(after.status).toBe("succeeded");
    expect(after.tasks.extract!.attempts).toBe(2);

    const badTask = await call(`/runs/${failed.id}/retry`, { method: "POST", json: { fromTask: "nope" } });
    expect(badTask.status).toBe(422);
    expect((await call("/runs/missing/cancel", { method: "POST" })).status).toBe(404);
    expect((await call("/runs/missing/retry", { method: "POST" })).status).toBe(404);
  });
});
