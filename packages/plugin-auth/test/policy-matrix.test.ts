/**
 * The policy table, cell by cell, through real HTTP: every route (read from
 * the server's OpenAPI document plus plugin routes, so a new route fails this
 * file until it is classified below) × every role × own/other namespace.
 */
import { definePlugin } from "@flowmesh/core";
import { ensureHttpHooks, type HttpAction } from "@flowmesh/server";
import { beforeAll, describe, expect, it } from "vitest";
import { auth } from "../src/index.js";
import { bodyOf, FORBIDDEN, UNAUTHENTICATED, useServers, WORKFLOWS, type Served } from "./support.js";

// ------------------------------------------------------------------ the policy table, written out by hand

const ALL: HttpAction[] = [
  "workflows:read",
  "workflows:write",
  "runs:read",
  "runs:start",
  "runs:cancel",
  "runs:retry",
  "metrics:read",
  "docs:read",
  "health:read",
];
const GRANTS: Record<string, readonly HttpAction[]> = {
  none: [],
  viewer: ["workflows:read", "runs:read"],
  runner: ["workflows:read", "runs:read", "runs:start", "runs:cancel", "runs:retry"],
  editor: ["workflows:read", "runs:read", "runs:start", "runs:cancel", "runs:retry", "workflows:write"],
  admin: ALL,
  auditor: ["runs:read", "metrics:read"],
};
const CALLERS = ["anonymous", "bad-key", ...Object.keys(GRANTS)] as const;
type Caller = (typeof CALLERS)[number];

/** `resource`: one workflow or run (another namespace's is hidden); `list`: narrowed; `system`: no namespace. */
type Scope = "public" | "system" | "list" | "resource";

interface Fixture {
  namespace: string;
  workflow: string;
  runId: string;
}

interface RouteCase {
  action: HttpAction | "public";
  scope: Scope;
  request(f: Fixture, caller: string): { path: string; json?: unknown };
  /** Statuses of an allowed request (409: the run's state refused it after authorization passed). */
  ok: number[];
  /** Extra checks on an allowed response. */
  check?(body: unknown, f: Fixture): void;
}

const ROUTES: Record<string, RouteCase> = {
  "GET /healthz": { action: "public", scope: "public", request: () => ({ path: "/healthz" }), ok: [200] },
  "GET /readyz": { action: "health:read", scope: "system", request: () => ({ path: "/readyz" }), ok: [200] },
  "GET /openapi.json": {
    action: "docs:read",
    scope: "system",
    request: () => ({ path: "/openapi.json" }),
    ok: [200],
  },
  "GET /docs": { action: "docs:read", scope: "system", request: () => ({ path: "/docs" }), ok: [200] },
  "GET /metrics": {
    action: "metrics:read",
    scope: "system",
    request: () => ({ path: "/metrics" }),
    ok: [200],
  },
  "POST /workflows": {
    action: "workflows:write",
    scope: "resource",
    request: (f, caller) => ({
      path: "/workflows",
      json: { name: `reg-${caller}-${f.namespace}`, namespace: f.namespace, tasks: [{ name: "step" }] },
    }),
    ok: [201],
  },
  "GET /workflows": {
    action: "workflows:read",
    scope: "list",
    request: (f) => ({ path: `/workflows?namespace=${f.namespace}` }),
    ok: [200],
    check: (body, f) => {
      const names = (body as { workflows: { name: string; namespace: string }[] }).workflows;
      expect(names.every((w) => w.namespace === "acme")).toBe(true);
      if (f.namespace === "acme") expect(names.map((w) => w.name)).toContain(WORKFLOWS.acme);
      else expect(names).toEqual([]);
    },
  },
  "GET /workflows/{name}": {
    action: "workflows:read",
    scope: "resource",
    request: (f) => ({ path: `/workflows/${f.workflow}` }),
    ok: [200],
  },
  "GET /workflows/{name}/versions": {
    action: "workflows:read",
    scope: "resource",
    request: (f) => ({ path: `/workflows/${f.workflow}/versions` }),
    ok: [200],
  },
  "GET /workflows/{name}/versions/{version}": {
    action: "workflows:read",
    scope: "resource",
    request: (f) => ({ path: `/workflows/${f.workflow}/versions/1` }),
    ok: [200],
  },
  "POST /workflows/{name}/runs": {
    action: "runs:start",
    scope: "resource",
    request: (f) => ({ path: `/workflows/${f.workflow}/runs`, json: { input: { n: 1 } } }),
    ok: [201],
  },
  "POST /runs": {
    action: "runs:start",
    scope: "resource",
    request: (f) => ({ path: "/runs", json: { workflow: f.workflow, input: { n: 2 } } }),
    ok: [201],
  },
  "GET /runs": {
    action: "runs:read",
    scope: "list",
    request: (f) => ({ path: `/runs?namespace=${f.namespace}` }),
    ok: [200],
    check: (body, f) => {
      const runs = (body as { runs: { id: string; namespace: string }[] }).runs;
      expect(runs.every((run) => run.namespace === "acme")).toBe(true);
      if (f.namespace === "acme") expect(runs.map((run) => run.id)).toContain(f.runId);
      else expect(runs).toEqual([]);
    },
  },
  "GET /runs/{id}": {
    action: "runs:read",
    scope: "resource",
    request: (f) => ({ path: `/runs/${f.runId}` }),
    ok: [200],
  },
  "GET /runs/{id}/events": {
    action: "runs:read",
    scope: "resource",
    request: (f) => ({ path: `/runs/${f.runId}/events` }),
    ok: [200],
  },
  "POST /runs/{id}/cancel": {
    action: "runs:cancel",
    scope: "resource",
    request: (f) => ({ path: `/runs/${f.runId}/cancel`, json: {} }),
    ok: [200, 409],
  },
  "POST /runs/{id}/retry": {
    action: "runs:retry",
    scope: "resource",
    request: (f) => ({ path: `/runs/${f.runId}/retry`, json: {} }),
    ok: [200, 409],
  },
};

/** What the table says a caller gets. */
function expected(route: RouteCase, caller: Caller, namespace: "acme" | "globex"): "ok" | 401 | 403 | 404 {
  if (route.scope === "public") return "ok";
  if (caller === "anonymous" || caller === "bad-key") return 401;
  if (route.scope === "resource" && namespace !== "acme") return 404;
  return GRANTS[caller]!.includes(route.action as HttpAction) ? "ok" : 403;
}

// ------------------------------------------------------------------ the server under test

const metricsRoute = definePlugin({
  name: "test-metrics-route",
  setup(ctx) {
    ensureHttpHooks(ctx);
    ctx.hooks.routes.tap((collector) =>
      collector.add({
        method: "GET",
        path: "/metrics",
        action: "metrics:read",
        handler: () => new Response("up 1\n"),
      }),
    );
  },
});

const KEY = (caller: string) => `matrix-key-for-${caller}-0123456789`;
const serve = useServers();
let served: Served;
const fixtures = {} as Record<"acme" | "globex", Fixture>;

beforeAll(async () => {
  served = await serve([
    metricsRoute(),
    auth({
      roles: { auditor: ["runs:read", "metrics:read"] },
      apiKeys: Object.fromEntries(
        Object.keys(GRANTS).map((role) => [
          KEY(role),
          { user: `user-${role}`, roles: role === "none" ? [] : [role], namespaces: ["acme"] },
        ]),
      ),
      rateLimit: false,
    }),
  ]);
  for (const namespace of ["acme", "globex"] as const) {
    const workflow = WORKFLOWS[namespace];
    const handle = await served.engine.start(workflow, { seed: namespace });
    await handle.result();
    fixtures[namespace] = { namespace, workflow, runId: handle.id };
  }
});

function credentials(caller: Caller): Record<string, string> {
  if (caller === "anonymous") return {};
  if (caller === "bad-key") return { "x-api-key": KEY("nobody") };
  return { authorization: `Bearer ${KEY(caller)}` };
}

describe("the policy matrix", () => {
  it("covers every route the server serves (OpenAPI document and plugin routes)", async () => {
    const response = await served.call("GET", "/openapi.json", { headers: credentials("admin") });
    expect(response.status).toBe(200);
    const document = (await response.json()) as { paths: Record<string, Record<string, unknown>> };
    const served_ = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((method) => ["get", "post", "put", "patch", "delete"].includes(method))
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
    const documented = new Set([...served_, "GET /metrics"]);
    expect([...documented].sort()).toEqual(Object.keys(ROUTES).sort());
  });

  for (const [route, routeCase] of Object.entries(ROUTES)) {
    describe(route, () => {
      const cells = CALLERS.flatMap((caller) =>
        (["acme", "globex"] as const).map((ns) => [caller, ns] as const),
      );
      it.each(cells)("%s in %s", async (caller, namespace) => {
        const want = expected(routeCase, caller, namespace);
        const { path, json } = routeCase.request(fixtures[namespace], caller);
        const method = route.slice(0, route.indexOf(" "));
        const response = await served.call(method, path, { headers: credentials(caller), json });
        const body = await bodyOf(response);
        if (want === "ok") {
          expect(routeCase.ok, JSON.stringify(body)).toContain(response.status);
          routeCase.check?.(body, fixtures[namespace]);
        } else {
          expect({ status: response.status, body }).toMatchObject({ status: want });
          if (want === 401) expect(body).toEqual(UNAUTHENTICATED);
          if (want === 403) expect(body).toEqual(FORBIDDEN);
          if (want === 404) expect(body).toMatchObject({ error: { code: "FM_ERR_NOT_FOUND" } });
        }
      });
    });
  }

  it("answers a hidden run exactly like a missing one", async () => {
    const hidden = await served.call("GET", `/runs/${fixtures.globex.runId}`, {
      headers: credentials("admin"),
    });
    const missing = await served.call("GET", "/runs/no-such-run", { headers: credentials("admin") });
    expect(hidden.status).toBe(404);
    const [hiddenBody, missingBody] = [await bodyOf(hidden), await bodyOf(missing)];
    expect(JSON.stringify(hiddenBody).replaceAll(fixtures.globex.runId, "ID")).toBe(
      JSON.stringify(missingBody).replaceAll("no-such-run", "ID"),
    );
  });
});
