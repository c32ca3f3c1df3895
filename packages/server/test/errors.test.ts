import { definePlugin, type RunRecord } from "@flowmesh/core";
import { describe, expect, it } from "vitest";
import { ensureHttpHooks } from "../src/index.js";
import { useServers } from "./support.js";

const serve = useServers();

type ErrorJson = { error: { code: string; message: string; details: Record<string, unknown> } };

async function withWorkflow(serverOptions = {}) {
  const served = await serve({}, serverOptions);
  await served.engine.register({ name: "wf", tasks: [{ name: "a", handler: () => 1 }] });
  return served;
}

describe("error shape", () => {
  it("answers unknown routes 404 and wrong methods 405 with Allow, in the one error shape", async () => {
    const { call } = await withWorkflow();
    const missing = await call("/nowhere");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: { code: "FM_ERR_NOT_FOUND", message: "no route GET /nowhere", details: {} },
    });
    const wrong = await call("/runs/abc", { method: "DELETE" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("GET, HEAD");
    expect(((await wrong.json()) as ErrorJson).error.code).toBe("FM_ERR_METHOD_NOT_ALLOWED");
    const put = await call("/workflows", { method: "PUT" });
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")?.split(", ").sort()).toEqual(["GET", "HEAD", "POST"]);
  });

  it("refuses a body over the limit with 413, whether or not it declares its length", async () => {
    const { call, server } = await withWorkflow({ bodyLimit: 1024 });
    const big = { workflow: "wf", input: "x".repeat(2000) };
    const declared = await call("/runs", { method: "POST", json: big });
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as ErrorJson).error.code).toBe("FM_ERR_PAYLOAD_TOO_LARGE");
    const chunked = await fetch(`${server.url}/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(JSON.stringify(big)));
          controller.close();
        },
      }),
      duplex: "half",
    });
    expect(chunked.status).toBe(413);
  });

  it("lists every bad field's path, rejects unknown fields and never lets the client set server fields", async () => {
    const { call, engine } = await withWorkflow();
    const res = await call("/runs", {
      method: "POST",
      json: { workflow: "", version: true, status: "succeeded", createdBy: "mallory", attempt: 9 },
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as ErrorJson;
    expect(body.error.code).toBe("FM_ERR_INVALID_REQUEST");
    const issues = body.error.details.issues as { path: string; in: string; message: string }[];
    expect(issues.map((i) => i.path).sort()).toEqual([
      "attempt",
      "createdBy",
      "status",
      "version",
      "workflow",
    ]);
    expect(issues.every((i) => i.in === "body" && i.message.length > 0)).toBe(true);
    expect((await engine.listRuns()).runs).toEqual([]);

    const malformed = await call("/runs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{nope",
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as ErrorJson).error.code).toBe("FM_ERR_INVALID_REQUEST");
    const wrongType = await call("/runs", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "hi",
    });
    expect(wrongType.status).toBe(415);
  });

  it("answers an unexpected error 500 without its message or stack, and logs it", async () => {
    const logged: unknown[] = [];
    const boom = definePlugin({
      name: "boom",
      setup(ctx) {
        ensureHttpHooks(ctx);
        ctx.hooks.beforeRequest.tap(() => {
          throw new Error("secret database password in /srv/app.js:12");
        });
      },
    });
    const { call, engine } = await serve({ plugins: [boom()] });
    engine.logger.error = (obj: unknown) => void logged.push(obj);
    const res = await call("/runs");
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      error: { code: "FM_ERR_INTERNAL", message: "internal server error", details: {} },
    });
    expect(text).not.toContain("secret");
    expect(logged).toHaveLength(1);
  });

  it("serves the API under a prefix and answers outside it with 404", async () => {
    const { call } = await withWorkflow({ prefix: "/api/flowmesh" });
    expect((await call("/api/flowmesh/healthz")).status).toBe(200);
    const started = await call("/api/flowmesh/runs", { method: "POST", json: { workflow: "wf" } });
    expect(started.status).toBe(201);
    const run = (await started.json()) as RunRecord;
    expect(started.headers.get("location")).toBe(`/api/flowmesh/runs/${run.id}`);
    const doc = (await (await call("/api/flowmesh/openapi.json")).json()) as { servers: unknown };
    expect(doc.servers).toEqual([{ url: "/api/flowmesh" }]);
    const outside = await call("/healthz");
    expect(outside.status).toBe(404);
    expect(((await outside.json()) as ErrorJson).error.code).toBe("FM_ERR_NOT_FOUND");
  });
});

describe("idempotency", () => {
  it("returns the same run for the same key (200) and 409 for the same key with a different body", async () => {
    const { call, engine } = await withWorkflow();
    const headers = { "idempotency-key": "order-42" };
    const first = await call("/runs", { method: "POST", headers, json: { workflow: "wf", input: { n: 1 } } });
    expect(first.status).toBe(201);
    const run = (await first.json()) as RunRecord;
    expect(run.idempotencyKey).toBe("order-42");
    const again = await call("/runs", { method: "POST", headers, json: { workflow: "wf", input: { n: 1 } } });
    expect(again.status).toBe(200);
    expect(((await again.json()) as RunRecord).id).toBe(run.id);
    const viaName = await call("/workflows/wf/runs", { method: "POST", headers, json: { input: { n: 1 } } });
    expect(viaName.status).toBe(200);
    expect(((await viaName.json()) as RunRecord).id).toBe(run.id);

    const conflict = await call("/runs", {
      method: "POST",
      headers,
      json: { workflow: "wf", input: { n: 2 } },
    });
    expect(conflict.status).toBe(409);
    expect(((await conflict.json()) as ErrorJson).error.code).toBe("FM_ERR_IDEMPOTENCY_CONFLICT");
    await engine.register({ name: "wf", version: "2", tasks: [{ name: "a", handler: () => 2 }] });
    const otherVersion = await call("/runs", {
      method: "POST",
      headers,
      json: { workflow: "wf", version: "2", input: { n: 1 } },
    });
    expect(otherVersion.status).toBe(409);
    expect((await engine.listRuns()).runs).toHaveLength(1);
  });

  it("starts one run for concurrent requests with the same key", async () => {
    const { call, engine } = await withWorkflow();
    const responses = await Promise.all(
      Array.from({ length: 8 }, () =>
        call("/runs", {
          method: "POST",
          headers: { "idempotency-key": "same" },
          json: { workflow: "wf", input: 1 },
        }),
      ),
    );
    const ids = new Set(await Promise.all(responses.map(async (r) => ((await r.json()) as RunRecord).id)));
    expect(ids.size).toBe(1);
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    expect((await engine.listRuns()).runs).toHaveLength(1);
  });
});
