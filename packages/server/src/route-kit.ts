/** What every route module gets: the app, the engine, the pipeline and the options. */
import type { FlowMesh } from "@flowmesh/core";
import type { OpenAPIHono, RouteConfig } from "@hono/zod-openapi";
import type { HttpAction } from "./hooks.js";
import type { ResolvedAppOptions } from "./options.js";
import type { FlowMeshEnv, Pipeline } from "./pipeline.js";
import type { RouteTable } from "./route-table.js";
import { ErrorSchema } from "./schemas.js";

export interface RouteKit {
  readonly app: OpenAPIHono<FlowMeshEnv>;
  readonly engine: FlowMesh;
  readonly pipeline: Pipeline;
  readonly options: ResolvedAppOptions;
  readonly table: RouteTable;
}

/**
 * Adds the pipeline guard (route template, action, authentication) in front
 * of a route's validators and records the route for 405 answers.
 */
export function guarded<R extends RouteConfig>(kit: RouteKit, action: HttpAction | "public", route: R): R {
  const template = route.path.replace(/\{([^}]+)\}/g, ":$1");
  kit.table.add(route.method, template);
  return { ...route, middleware: [kit.pipeline.guard(action, template)] };
}

const errorContent = { "application/json": { schema: ErrorSchema } };

/** Documented error responses, by status. */
export function errors(
  ...statuses: number[]
): Record<number, { description: string; content: typeof errorContent }> {
  const out: Record<number, { description: string; content: typeof errorContent }> = {};
  for (const status of statuses)
    out[status] = { description: ERROR_DESCRIPTIONS[status] ?? "Error", content: errorContent };
  return out;
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "Malformed body",
  401: "No valid credentials",
  403: "Not allowed",
  404: "Not found (or hidden from this caller)",
  409: "Conflict: idempotency key reused with a different body, or a run in the wrong state",
  413: "Body over the size limit",
  415: "Unsupported content type",
  422: "Validation failed: `details.issues` lists each path",
  429: "Rate limited: see Retry-After",
  503: "Backend unavailable",
};

/** The errors every authenticated route can answer. */
export const COMMON_ERRORS = [401, 403, 429] as const;
