/**
 * @flowmesh/server — the FlowMesh REST API: OpenAPI 3.1, Server-Sent Events,
 * an HTTP hook set for auth and metrics plugins, mountable in Express,
 * Fastify, NestJS and Hono.
 */
export { createFlowMeshApp } from "./app.js";
export { startServer } from "./start-server.js";
export type { RunningServer, StartServerOptions } from "./start-server.js";
export { appOptionsSchema } from "./options.js";
export type { FlowMeshAppOptions, ResolvedAppOptions } from "./options.js";
export { createHttpHooks, ensureHttpHooks } from "./http-hooks.js";
export type { HttpHooksTarget } from "./http-hooks.js";
export type { FlowMeshEnv } from "./pipeline.js";
export type { ErrorBody } from "./http-errors.js";
export type {
  AuthorizeDecision,
  AuthorizeRequest,
  HttpAction,
  HttpExchange,
  HttpHooks,
  HttpRequestInfo,
  HttpResource,
  PluginRoute,
  Principal,
  RouteCollector,
} from "./hooks.js";
export { toNodeHandler } from "./mount/node.js";
export type { FetchApp, NodeHandler } from "./mount/node.js";
export { fastifyFlowMesh } from "./mount/fastify.js";
export type { FastifyLike, FastifyPluginOptions } from "./mount/fastify.js";
