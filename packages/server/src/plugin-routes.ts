/**
 * Routes plugins add through the `routes` hook (`/metrics`), collected once
 * the engine's plugins are set up, and served by the app's fallback through
 * the same pipeline: the route's action is authenticated and authorized.
 */
import { FlowMeshError } from "@flowmesh/core";
import type { HttpHooks, PluginRoute } from "./hooks.js";
import { compileTemplate, type RouteTable } from "./route-table.js";

interface CompiledRoute {
  readonly route: PluginRoute;
  readonly pattern: RegExp;
}

export class PluginRoutes {
  private routes: CompiledRoute[] = [];
  private collected = false;

  constructor(private readonly table: RouteTable) {}

  /** Calls the `routes` hook once; a plugin route that clashes with a built-in one is an error. */
  collect(hooks: HttpHooks): void {
    if (this.collected) return;
    this.collected = true;
    const routes: CompiledRoute[] = [];
    hooks.routes.call({
      add: (route) => {
        if (this.table.allowed(route.path).includes(route.method)) {
          throw new FlowMeshError(
            "FM_ERR_PLUGIN",
            `a plugin route ${route.method} ${route.path} clashes with a FlowMesh route`,
            {
              details: { method: route.method, path: route.path },
            },
          );
        }
        routes.push({ route, pattern: compileTemplate(route.path) });
        this.table.add(route.method, route.path);
      },
    });
    this.routes = routes;
  }

  /** The plugin route for a request (HEAD is served by GET routes). */
  match(method: string, path: string): PluginRoute | undefined {
    const wanted = method === "HEAD" ? "GET" : method;
    for (const { route, pattern } of this.routes) {
      if (route.method === wanted && pattern.test(path)) return route;
    }
    return undefined;
  }
}
