import { createFlowMesh, createLogger, definePlugin, FlowMeshError, type RunRecord } from "@flowmesh/core";
import { describe, expect, it } from "vitest";
import {
  createFlowMeshApp,
  createHttpHooks,
  ensureHttpHooks,
  type AuthorizeRequest,
  type HttpExchange,
  type HttpRequestInfo,
  type Principal,
} from "../src/index.js";
import { useServers } from "./support.js";

const serve = useServers();

const USERS: Record<string, Principal> = {
  alice: { id: "alice", roles: ["admin"], namespaces: ["team-a"], method: "test" },
  bob: { id: "bob", roles: ["viewer"], namespaces: ["team-b"], method: "test" },
};

interface Recorded {
  before: HttpRequestInfo[];
  authenticated: string[];
  authorized: AuthorizeRequest[];
  after: HttpExchange[];
}

/** A plugin that taps every HTTP hook the way an auth + metrics plugin would. */
const testAuth = definePlugin({
  name: "test-auth",
  setup(ctx) {
    ensureHttpHooks(ctx);
    ensureHttpHooks(ctx); // idempotent
    ctx.hooks.beforeRequest.tap((info) => {
      state.before.push(info);
      info.responseHeaders.set("x-ratelimit-remaining", "41");
      if (info.headers.get("x-flood") !== null) {
        throw new FlowMeshError("FM_ERR_RATE_LIMITED", "slow down", { details: { retryAfterSeconds: 6.2 } });
      }
      if (info.headers.get("x-teapot") !== null) return new Response("short and stout", { status: 418 });
      return undefined;
    });
    ctx.hooks.authenticate.tap((info) => {
      const header = info.headers.get("authorization");
      const user = header?.startsWith("Bearer ") ? USERS[header.slice(7)] : undefined;
      if (user === undefined) throw new FlowMeshError("FM_ERR_UNAUTHENTICATED", "authentication required");
      state.authenticated.push(`${info.route} ${user.id}`);
      return user;
    });
    ctx.hooks.authorize.tap((request) => {
      state.authorized.push(request);
      const principal = request.principal!;
      if (request.action === "runs:cancel" && !principal.roles.includes("admin")) return { allow: false };
      const namespaces = principal.namespaces;
      if (request.resource.namespace === undefined) return { allow: true, namespaces };
      if (namespaces !== "*" && !namespaces.includes(request.resource.namespace))
        return { allow: false, hide: true };
      return { allow: true };
    });
    ctx.hooks.afterRequest.tap((exchange) => void state.after.push(exchange));
    ctx.hooks.routes.tap((collector) => {
      collector.add({
        method: "GET",
        path: "/metrics",
        action: "metrics:read",
        handler: () => new Response("flowmesh_up 1\n", { headers: { "content-type": "text/plain" } }),
      });
      collector.add({
        method: "GET",
        path: "/hello/:name",
        action: "public",
        handler: (req) => new Response(new URL(req.url).pathname),
      });
    });
  },
});

let state: Recorded = { before: [], authenticated: [], authorized: [], after: [] };

async function secured() {
  state = { before: [], authenticated: [], authorized: [], after: [] };
  const served = await serve({ plugins: [testAuth()] });
  await served.engine.register({
    name: "a-flow",
    namespace: "team-a",
    tasks: [{ name: "t", handler: () => 1 }],
  });
  await served.engine.register({
    name: "b-flow",
    namespace: "team-b",
    tasks: [{ name: "t", handler: () => 2 }],
  });
  const as =
    (user: string) =>
    (path: string, init: RequestInit & { json?: unknown } = {}) =>
      served.call(path, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${user}` },
      });
  return { ...served, alice: as("alice"), bob: as("bob") };
}

describe("the HTTP hook pipeline", () => {
  it("authenticates every non-public route and answers 401 without credentials; public routes skip it", async () => {
    const { call, alice } = await secured();
    const anonymous = await call("/runs");
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe(
      "FM_ERR_UNAUTHENTICATED",
    );
    expect(anonymous.headers.get("x-ratelimit-remaining")).toBe("41");
    expect((await call("/healthz")).status).toBe(200);
    expect((await call("/readyz")).status).toBe(401);
    expect((await alice("/readyz")).status).toBe(200);
    expect(state.authenticated).toEqual(["/readyz alice"]);
  });

  it("records startedBy from the principal and asks authorize with the action, resource and namespace", async () => {
    const { alice } = await secured();
    const res = await alice("/runs", { method: "POST", json: { workflow: "a-flow", input: 1 } });
    expect(res.status).toBe(201);
    const run = (await res.json()) as RunRecord;
    expect(run.startedBy).toBe("alice");
    expect(run.namespace).toBe("team-a");
    expect(state.authorized.at(-1)).toMatchObject({
      principal: { id: "alice" },
      action: "runs:start",
      resource: { kind: "workflow", namespace: "team-a", id: "a-flow" },
      request: { method: "POST", path: "/runs", route: "/runs", action: "runs:start" },
    });
    await alice(`/runs/${run.id}`);
    expect(state.authorized.at(-1)).toMatchObject({
      action: "runs:read",
      resource: { kind: "run", namespace: "team-a", id: run.id },
      request: { route: "/runs/:id" },
    });
  });

  it("hides another namespace's runs and workflows as 404s identical to missing ones, and filters lists", async () => {
    const { alice, bob } = await secured();
    const aliceRun = (await (
      await alice("/runs", { method: "POST", json: { workflow: "a-flow" } })
    ).json()) as RunRecord;
    await bob("/runs", { method: "POST", json: { workflow: "b-flow" } });
    const hidden = await bob(`/runs/${aliceRun.id}`);
    expect(hidden.status).toBe(404);
    const missing = await bob(`/runs/${aliceRun.id.replace(/.$/, (c) => (c === "0" ? "1" : "0"))}`);
    const hiddenBody = (await hidden.json()) as { error: { code: string; message: string } };
    const missingBody = (await missing.json()) as { error: { code: string; message: string } };
    expect(hiddenBody.error.code).toBe(missingBody.error.code);
    expect(hiddenBody.error.message.replace(aliceRun.id, "ID")).toBe(
      missingBody.error.message.replace(/"[^"]+"/, '"ID"'),
    );
    expect((await bob(`/runs/${aliceRun.id}/events`)).status).toBe(404);
    expect((await bob("/workflows/a-flow")).status).toBe(404);
    expect((await bob("/runs", { method: "POST", json: { workflow: "a-flow" } })).status).toBe(404);

    const bobRuns = (await (await bob("/runs")).json()) as { runs: RunRecord[] };
    expect(bobRuns.runs.map((r) => r.workflow)).toEqual(["b-flow"]);
    const bobAsksForA = (await (await bob("/runs?namespace=team-a")).json()) as { runs: RunRecord[] };
    expect(bobAsksForA.runs).toEqual([]);
    const workflows = (await (await bob("/workflows")).json()) as { workflows: { name: string }[] };
    expect(workflows.workflows.map((w) => w.name)).toEqual(["b-flow"]);
  });

  it("answers a deny without hide 403, and hides a reused idempotency key's workflow from another tenant", async () => {
    const { alice, bob } = await secured();
    const run = (await (
      await bob("/runs", { method: "POST", json: { workflow: "b-flow" } })
    ).json()) as RunRecord;
    const denied = await bob(`/runs/${run.id}/cancel`, { method: "POST" });
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { error: { code: string } }).error.code).toBe("FM_ERR_FORBIDDEN");

    const key = { "idempotency-key": "k1" };
    await alice("/runs", { method: "POST", headers: key, json: { workflow: "a-flow" } });
    const stolen = await bob("/runs", { method: "POST", headers: key, json: { workflow: "a-flow" } });
    expect(stolen.status).toBe(404);
  });

  it("lets beforeRequest answer at once (429 with Retry-After, or any response) and afterRequest see the outcome", async () => {
    const { alice } = await secured();
    const limited = await alice("/runs", { headers: { "x-flood": "1" } });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("7");
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("41");
    expect(((await limited.json()) as { error: { code: string; details: unknown } }).error).toMatchObject({
      code: "FM_ERR_RATE_LIMITED",
      details: { retryAfterSeconds: 6.2 },
    });
    const teapot = await alice("/runs", { headers: { "x-teapot": "1" } });
    expect(teapot.status).toBe(418);
    await alice("/runs/nope");
    expect(state.after.map((e) => [e.request.route, e.status, e.request.principal?.id])).toEqual([
      ["unmatched", 429, undefined],
      ["unmatched", 418, undefined],
      ["/runs/:id", 404, "alice"],
    ]);
    expect(state.after.every((e) => e.durationMs >= 0)).toBe(true);
    expect(state.authenticated).toEqual(["/runs/:id alice"]);
  });

  it("serves plugin routes through the pipeline: authenticated and authorized unless public", async () => {
    const { call, alice } = await secured();
    expect((await call("/metrics")).status).toBe(401);
    const metrics = await alice("/metrics");
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toBe("flowmesh_up 1\n");
    expect(state.authorized.at(-1)).toMatchObject({
      action: "metrics:read",
      resource: { kind: "system" },
      request: { route: "/metrics" },
    });
    expect(await (await call("/hello/world")).text()).toBe("/hello/world");
    const wrong = await alice("/metrics", { method: "POST" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("GET, HEAD");
  });
});

describe("ensureHttpHooks", () => {
  it("adds the hook set once, wrapping tap errors with the plugin's name, whatever comes up first", async () => {
    const engine = createFlowMesh({ logger: createLogger({ level: "silent" }), plugins: [testAuth()] });
    try {
      // Plugins first, then the app: the plugin added the hooks, the app finds them.
      await engine.ready();
      const added = engine.hooks.authenticate;
      const app = createFlowMeshApp(engine);
      expect(engine.hooks.authenticate).toBe(added);
      ensureHttpHooks(engine);
      expect(engine.hooks.authenticate).toBe(added);
      expect((await app.request("/runs")).status).toBe(401);
      expect((await app.request("/runs", { headers: { authorization: "Bearer alice" } })).status).toBe(200);
    } finally {
      await engine.close();
    }

    const target = { hooks: {} as Record<string, unknown> };
    ensureHttpHooks(target);
    expect(Object.keys(target.hooks).sort()).toEqual(Object.keys(createHttpHooks()).sort());
    const hooks = target.hooks as unknown as ReturnType<typeof createHttpHooks>;
    hooks.authenticate.tapPromise("my-plugin", () => Promise.reject(new Error("bad key store")));
    await expect(hooks.authenticate.promise({} as HttpRequestInfo)).rejects.toMatchObject({
      code: "FM_ERR_HOOK",
      message: expect.stringContaining('plugin "my-plugin" failed in hook "authenticate"') as string,
    });
  });
});
