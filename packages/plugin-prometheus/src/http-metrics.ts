/**
 * The HTTP side, when @flowmesh/server is installed: request metrics from its
 * `afterRequest` hook, and `/metrics` added to its API through the `routes`
 * hook under the `metrics:read` action, so an auth plugin protects it like
 * any other route.
 */
import type { PluginContext } from "@flowmesh/core";
import type * as ServerNamespace from "@flowmesh/server";
import type { HttpExchange, RouteCollector } from "@flowmesh/server";
import type { Registry, RegistryContentType } from "prom-client";
import { METRICS } from "./catalog.js";
import type { Exposition } from "./exposition.js";
import type { PromClient } from "./prom-client.js";

export interface HttpMetricsOptions {
  /** Add the scrape route to the server's API. */
  route: boolean;
  path: string;
  buckets: readonly number[];
}

type ServerModule = typeof ServerNamespace;

/** Methods kept as label values; anything else is `OTHER`, so a client cannot invent series. */
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/**
 * Taps the HTTP hooks. Returns the names of the metrics it registered, or
 * `undefined` when @flowmesh/server is not installed (a worker-only process).
 */
export async function tapHttpHooks(
  ctx: PluginContext,
  client: PromClient,
  registry: Registry<RegistryContentType>,
  options: HttpMetricsOptions,
  scrape: (accept: string | null) => Promise<Exposition>,
): Promise<string[] | undefined> {
  const server = await loadServer();
  if (server === undefined) return undefined;
  server.ensureHttpHooks(ctx);
  const requests = new client.Counter({
    name: METRICS.httpRequests.name,
    help: METRICS.httpRequests.help,
    labelNames: [...METRICS.httpRequests.labels],
    registers: [registry],
  });
  const durations = new client.Histogram({
    name: METRICS.httpDuration.name,
    help: METRICS.httpDuration.help,
    labelNames: [...METRICS.httpDuration.labels],
    buckets: [...options.buckets],
    registers: [registry],
  });
  ctx.hooks.afterRequest.tap((exchange: HttpExchange) => {
    const upper = exchange.request.method.toUpperCase();
    const method = METHODS.has(upper) ? upper : "OTHER";
    const route = exchange.request.route;
    requests.inc({ method, route, status: String(exchange.status) });
    durations.observe({ method, route }, exchange.durationMs / 1000);
  });
  if (options.route) {
    ctx.hooks.routes.tap((collector: RouteCollector) => {
      collector.add({
        method: "GET",
        path: options.path,
        action: "metrics:read",
        async handler(request) {
          const { body, contentType } = await scrape(request.headers.get("accept"));
          return new Response(body, { headers: { "content-type": contentType } });
        },
      });
    });
  }
  return [METRICS.httpRequests.name, METRICS.httpDuration.name];
}

/** @flowmesh/server, or `undefined` when it is not installed. */
async function loadServer(): Promise<ServerModule | undefined> {
  try {
    return await import("@flowmesh/server");
  } catch (error) {
    if (isMissing(error, "@flowmesh/server")) return undefined;
    throw error;
  }
}

function isMissing(error: unknown, specifier: string): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return (
    (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") &&
    typeof message === "string" &&
    message.includes(specifier)
  );
}
