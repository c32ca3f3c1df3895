/**
 * `createFlowMeshApp(engine)`: the whole HTTP API as one Hono app, to serve
 * with `startServer` or mount in Express, Fastify, NestJS or Hono.
 */
import type { FlowMesh } from "@flowmesh/core";
import { FlowMeshError } from "@flowmesh/core";
import { OpenAPIHono } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import { bodyLimit } from "./body-limit.js";
import type { HttpHooks } from "./hooks.js";
import { ensureHttpHooks } from "./http-hooks.js";
import { errorResponse, HttpStatusError } from "./http-errors.js";
import { resolveAppOptions, type FlowMeshAppOptions } from "./options.js";
import { Pipeline, type FlowMeshEnv } from "./pipeline.js";
import { PluginRoutes } from "./plugin-routes.js";
import type { RouteKit } from "./route-kit.js";
import { RouteTable } from "./route-table.js";
import { runEventRoutes } from "./routes/run-events.js";
import { runRoutes } from "./routes/runs.js";
import { systemRoutes } from "./routes/system.js";
import { workflowRoutes } from "./routes/workflows.js";
import { invalidRequest } from "./validation.js";

/**
 * Builds the API for an engine. The engine's plugins are set up (and its
 * worker started, `engine.ready()`) before the first request goes on, so auth
 * plugins are in place before anything is served.
 */
export function createFlowMeshApp(engine: FlowMesh, options?: FlowMeshAppOptions): OpenAPIHono<FlowMeshEnv> {
  const resolved = resolveAppOptions(options, "createFlowMeshApp");
  ensureHttpHooks(engine);
  const hooks: HttpHooks = engine.hooks;
  const logger = engine.logger;
  const table = new RouteTable();
  const pluginRoutes = new PluginRoutes(table);
  const pipeline = new Pipeline(engine, hooks, logger, () => pluginRoutes.collect(hooks));

  const app = new OpenAPIHono<FlowMeshEnv>({
    defaultHook: (result) => {
      if (!result.success) throw invalidRequest(result.error, result.target);
    },
  });
  app.onError((error) => errorResponse(fromHono(error), logger));
  app.notFound(() => errorResponse(new FlowMeshError("FM_ERR_NOT_FOUND", "no such route"), logger));
  app.use("*", pipeline.middleware());
  app.use(
    "*",
    bodyLimit({
      maxSize: resolved.bodyLimit,
      onError: () => {
        throw new FlowMeshError(
          "FM_ERR_PAYLOAD_TOO_LARGE",
          `the body is larger than ${resolved.bodyLimit} bytes`,
          {
            details: { limit: resolved.bodyLimit },
          },
        );
      },
    }),
  );

  const kit: RouteKit = { app, engine, pipeline, options: resolved, table };
  systemRoutes(kit);
  workflowRoutes(kit);
  runRoutes(kit);
  runEventRoutes(kit);

  // Last: plugin routes, then 405 (the path exists for other methods) or 404, in the one error shape.
  app.all("*", async (c) => {
    const { info } = c.get("fm");
    const route = pluginRoutes.match(info.method, info.path);
    if (route !== undefined) {
      info.route = route.path;
      info.action = route.action;
      if (route.action !== "public") {
        await pipeline.authenticate(info);
        await pipeline.authorize(c, route.action, { kind: "system" });
      }
      return route.handler(c.req.raw);
    }
    const allow = table.allowed(info.path);
    if (allow.length > 0) {
      throw new FlowMeshError("FM_ERR_METHOD_NOT_ALLOWED", `${info.method} is not allowed on ${info.path}`, {
        details: { allow },
      });
    }
    throw new FlowMeshError("FM_ERR_NOT_FOUND", `no route ${info.method} ${info.path}`);
  });

  if (resolved.prefix === "") return app;
  const outer = new OpenAPIHono<FlowMeshEnv>();
  outer.onError((error) => errorResponse(fromHono(error), logger));
  outer.notFound(() => errorResponse(new FlowMeshError("FM_ERR_NOT_FOUND", "no such route"), logger));
  outer.route(resolved.prefix, app);
  return outer;
}

/** Hono's own exceptions (malformed JSON, 415) in FlowMesh's error shape. */
function fromHono(error: Error): unknown {
  if (!(error instanceof HTTPException)) return error;
  const status = error.status;
  if (status === 413) return new FlowMeshError("FM_ERR_PAYLOAD_TOO_LARGE", "the body is too large");
  const message =
    status === 415 ? "unsupported content type: send application/json" : error.message || "bad request";
  return new HttpStatusError(status, "FM_ERR_INVALID_REQUEST", message);
}
