/**
 * `/metrics` on @flowmesh/server's API: added through the `routes` hook under
 * `metrics:read` (so auth plugins guard it), with HTTP request metrics from
 * `afterRequest`, scraped over HTTP.
 */
import { afterEach, describe, expect, it } from "vitest";
import { definePlugin, type FlowMesh } from "@flowmesh/core";
import { ensureHttpHooks, startServer, type RunningServer } from "@flowmesh/server";
import { prometheus } from "../src/index.js";
import { labelsOf, scrape, useEngines, valueOf } from "./support/scrape.js";

const engine = useEngines();
const servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(fm: FlowMesh): Promise<RunningServer> {
  await fm.ready();
  const server = await startServer(fm, { port: 0 });
  servers.push(server);
  return server;
}

/** Allows `metrics:read` only to callers sending `x-role: ops`; everything else is allowed. */
const opsOnly = definePlugin({
  name: "ops-only",
  setup(ctx) {
    ensureHttpHooks(ctx);
    ctx.hooks.authorize.tap((request) => {
      if (request.action !== "metrics:read") return undefined;
      return request.request.headers.get("x-role") === "ops" ? { allow: true } : { allow: false };
    });
  },
});

describe("/metrics on the HTTP API", () => {
  it("serves the engine's metrics and counts API requests by method, route template and status", async () => {
    const fm = engine({ plugins: [prometheus()] });
    await fm.register({ name: "hello", tasks: [{ name: "greet", handler: () => "hi" }] });
    const server = await serve(fm);
    await (await fm.start("hello")).wait();
    expect((await fetch(`${server.url}/workflows`)).status).toBe(200);
    expect((await fetch(`${server.url}/workflows/hello`)).status).toBe(200);
    expect((await fetch(`${server.url}/workflows/nope`)).status).toBe(404);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    const first = await scrape(`${server.url}/metrics`);
    expect(first.status).toBe(200);
    expect(first.contentType).toBe("text/plain; version=0.0.4; charset=utf-8");
    const v = (name: string, labels: Record<string, string>) => valueOf(first.samples, name, labels);
    expect(v("flowmesh_workflows_total", { workflow: "hello", status: "succeeded" })).toBe(1);
    expect(v("flowmesh_tasks_total", { workflow: "hello", task: "greet", status: "succeeded" })).toBe(1);
    expect(v("flowmesh_http_requests_total", { method: "GET", route: "/workflows", status: "200" })).toBe(1);
    expect(
      v("flowmesh_http_requests_total", { method: "GET", route: "/workflows/:name", status: "200" }),
    ).toBe(1);
    expect(
      v("flowmesh_http_requests_total", { method: "GET", route: "/workflows/:name", status: "404" }),
    ).toBe(1);
    expect(v("flowmesh_http_requests_total", { method: "GET", route: "/healthz", status: "200" })).toBe(1);
    expect(
      v("flowmesh_http_request_duration_seconds_count", { method: "GET", route: "/workflows/:name" }),
    ).toBe(2);
    // Paths with values never become labels: only route templates do.
    expect(labelsOf(first.samples, "flowmesh_http_requests_total").map((l) => l.route)).not.toContain(
      "/workflows/hello",
    );

    // The scrape itself is a request like any other, counted once it has been answered.
    const second = await scrape(`${server.url}/metrics`);
    expect(
      valueOf(second.samples, "flowmesh_http_requests_total", {
        method: "GET",
        route: "/metrics",
        status: "200",
      }),
    ).toBe(1);
  });

  it("negotiates OpenMetrics on the API route", async () => {
    const fm = engine({ plugins: [prometheus()] });
    const server = await serve(fm);
    const response = await scrape(`${server.url}/metrics`, {
      accept: "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
    });
    expect(response.status).toBe(200);
    expect(response.contentType).toBe("application/openmetrics-text; version=1.0.0; charset=utf-8");
    expect(response.body).toContain("# TYPE flowmesh_workflows counter");
    expect(response.body.endsWith("# EOF\n")).toBe(true);
  });

  it("is guarded by the auth hooks as the metrics:read action", async () => {
    const fm = engine({ plugins: [prometheus(), opsOnly()] });
    const server = await serve(fm);
    expect((await fetch(`${server.url}/metrics`)).status).toBe(403);
    const allowed = await scrape(`${server.url}/metrics`, { "x-role": "ops" });
    expect(allowed.status).toBe(200);
    expect(
      valueOf(allowed.samples, "flowmesh_http_requests_total", {
        method: "GET",
        route: "/metrics",
        status: "403",
      }),
    ).toBe(1);
  });

  it("serves the route on a custom path, and none with route: false", async () => {
    const custom = engine({ plugins: [prometheus({ path: "/ops/metrics" })] });
    const customServer = await serve(custom);
    expect((await fetch(`${customServer.url}/ops/metrics`)).status).toBe(200);
    expect((await fetch(`${customServer.url}/metrics`)).status).toBe(404);

    const none = engine({ plugins: [prometheus({ route: false })] });
    const noneServer = await serve(none);
    expect((await fetch(`${noneServer.url}/metrics`)).status).toBe(404);
  });
});
