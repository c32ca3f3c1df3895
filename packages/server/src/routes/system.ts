/** `/healthz`, `/readyz`, `/openapi.json` and the interactive docs page. */
import { workflowJsonSchema } from "@flowmesh/core";
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { swaggerUI } from "@hono/swagger-ui";
import { FlowMeshError } from "@flowmesh/core";
import type { FlowMeshEnv } from "../pipeline.js";
import { COMMON_ERRORS, errors, guarded, type RouteKit } from "../route-kit.js";
import { HealthSchema, ReadySchema } from "../schemas.js";

/** How long `/readyz` waits for the backend before answering 503. */
const READY_TIMEOUT_MS = 5_000;

export function systemRoutes(kit: RouteKit): void {
  const { app, engine } = kit;

  app.openapi(
    guarded(
      kit,
      "public",
      createRoute({
        method: "get",
        path: "/healthz",
        tags: ["health"],
        summary: "Liveness: the process is up",
        responses: { 200: { description: "Up", content: { "application/json": { schema: HealthSchema } } } },
      }),
    ),
    (c) => c.json({ status: "ok" as const }, 200),
  );

  app.openapi(
    guarded(
      kit,
      "health:read",
      createRoute({
        method: "get",
        path: "/readyz",
        tags: ["health"],
        summary: "Readiness: the backend answers and the worker is claiming",
        responses: {
          200: { description: "Ready", content: { "application/json": { schema: ReadySchema } } },
          503: { description: "Not ready", content: { "application/json": { schema: ReadySchema } } },
          ...errors(...COMMON_ERRORS),
        },
      }),
    ),
    async (c) => {
      await kit.pipeline.authorize(c, "health:read", { kind: "system" });
      let health;
      try {
        health = await withTimeout(engine.health(), READY_TIMEOUT_MS);
      } catch (error) {
        throw new FlowMeshError("FM_ERR_BACKEND", "the backend did not answer the readiness check", {
          cause: error,
        });
      }
      const status = health.healthy ? ("ready" as const) : ("unavailable" as const);
      return c.json({ status, ...health }, health.healthy ? 200 : 503);
    },
  );

  if (!kit.options.docs) return;
  let document: string | undefined;
  const docsRoute = (path: string, summary: string) =>
    guarded(
      kit,
      "docs:read",
      createRoute({
        method: "get",
        path,
        tags: ["docs"],
        summary,
        responses: { 200: { description: summary }, ...errors(...COMMON_ERRORS) },
      }),
    );
  app.openapi(docsRoute("/openapi.json", "The OpenAPI 3.1 document"), async (c) => {
    await kit.pipeline.authorize(c, "docs:read", { kind: "system" });
    document ??= JSON.stringify(buildDocument(app));
    const { mount } = c.get("fm");
    // Paths are relative to where the app is mounted; `servers` says where that is.
    const body = document.replace(
      '"servers":[]',
      JSON.stringify({ servers: [{ url: mount || "/" }] }).slice(1, -1),
    );
    return c.body(body, 200, { "content-type": "application/json; charset=utf-8" });
  });
  const ui = swaggerUI({ url: "openapi.json", title: "FlowMesh API" });
  app.openapi(docsRoute("/docs", "Interactive API docs"), async (c, next) => {
    await kit.pipeline.authorize(c, "docs:read", { kind: "system" });
    // Relative URLs resolve against the page: `/flowmesh/docs` loads `/flowmesh/openapi.json`.
    return (await ui(c as never, next)) as never;
  });
}

/** The OpenAPI document, with core's workflow JSON Schema as `components.schemas.WorkflowDefinition`. */
function buildDocument(app: OpenAPIHono<FlowMeshEnv>): Record<string, unknown> {
  const doc = app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "FlowMesh API",
      version: "1",
      description: "Register workflows, start and monitor runs, stream their events.",
    },
    servers: [],
  }) as unknown as { components?: { schemas?: Record<string, unknown> } } & Record<string, unknown>;
  const schemas = (doc.components ??= {}).schemas ?? {};
  doc.components.schemas = schemas;
  const {
    $defs,
    $schema: _schema,
    ...workflow
  } = workflowJsonSchema() as Record<string, unknown> & {
    $defs?: Record<string, unknown>;
  };
  const rewrite = (value: unknown): unknown =>
    JSON.parse(JSON.stringify(value).replaceAll('"#/$defs/', '"#/components/schemas/WorkflowDefinition.'));
  schemas.WorkflowDefinition = rewrite(workflow);
  for (const [name, schema] of Object.entries($defs ?? {})) {
    schemas[`WorkflowDefinition.${name}`] = rewrite(schema);
  }
  const detail = schemas.Workflow as { properties?: Record<string, unknown> } | undefined;
  if (detail?.properties !== undefined)
    detail.properties.definition = { $ref: "#/components/schemas/WorkflowDefinition" };
  return doc;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
