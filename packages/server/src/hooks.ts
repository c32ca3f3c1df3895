/**
 * The HTTP hook set: how auth, metrics and other plugins take part in every
 * request without core knowing about HTTP. `@flowmesh/server` adds these
 * hooks to the engine's {@link HookRegistry} (module augmentation below);
 * plugins that tap them call {@link ensureHttpHooks} in their `setup`, so the
 * order in which the server and plugins come up does not matter.
 *
 * Request pipeline, in order:
 * 1. `beforeRequest` (series bail): may answer at once — a rate limiter's 429.
 * 2. `authenticate` (series bail): the first tap that recognises the caller
 *    returns a {@link Principal}; a tap that finds bad credentials throws an
 *    {@link HttpError} 401. With no tap, every caller is anonymous.
 * 3. `authorize` (series bail), once per action on a resource: the first tap
 *    with an opinion decides; with no tap every action is allowed.
 * 4. the route runs; `afterRequest` (series) sees the outcome (metrics, audit).
 */
import type {} from "@flowmesh/core";
import type { AsyncSeriesBailHook, AsyncSeriesHook, SyncHook } from "tapable";

/** Who is calling. Set by an `authenticate` tap; `undefined` when nobody authenticated. */
export interface Principal {
  /** Stable identifier (user name, key id, JWT `sub`): recorded as a run's `startedBy`. */
  readonly id: string;
  readonly roles: readonly string[];
  /** Namespaces the principal may act in; `"*"` for all. */
  readonly namespaces: readonly string[] | "*";
  /** How it authenticated (`api-key`, `jwt`, ...), for logs. */
  readonly method: string;
}

/** Every action the API authorizes. Routes added through `routes` pick one, or `public`. */
export type HttpAction =
  | "workflows:read"
  | "workflows:write"
  | "runs:read"
  | "runs:start"
  | "runs:cancel"
  | "runs:retry"
  | "metrics:read"
  | "docs:read"
  | "health:read";

/** What an action applies to. `namespace` is known for one workflow or run; absent for lists. */
export interface HttpResource {
  readonly kind: "workflow" | "run" | "system";
  readonly namespace?: string | undefined;
  /** Workflow name or run id. */
  readonly id?: string | undefined;
}

/** One request as hooks see it. */
export interface HttpRequestInfo {
  readonly method: string;
  /** Path as requested, below the mount prefix. */
  readonly path: string;
  /** The matched route's template (`/runs/:id`), or `"unmatched"`: low-cardinality, for metrics. */
  route: string;
  readonly headers: Headers;
  /** Client address, when the adapter knows it. */
  readonly ip: string | undefined;
  /** Headers to add to the response, whatever it is (rate-limit headers). */
  readonly responseHeaders: Headers;
  /** Set once `authenticate` ran. */
  principal: Principal | undefined;
  /** The action the route authorizes (set when the route is matched); `public` routes skip auth. */
  action: HttpAction | "public" | undefined;
}

/** What `authorize` is asked. */
export interface AuthorizeRequest {
  readonly principal: Principal | undefined;
  readonly action: HttpAction;
  readonly resource: HttpResource;
  readonly request: HttpRequestInfo;
}

/**
 * An authorization answer. `allow` with `namespaces` narrows a list to those
 * namespaces. `deny` answers 403, or 404 with `hide: true` so the resource's
 * existence is not disclosed (another tenant's run).
 */
export type AuthorizeDecision =
  | { readonly allow: true; readonly namespaces?: readonly string[] | "*" }
  | { readonly allow: false; readonly hide?: boolean };

/** The outcome `afterRequest` sees. */
export interface HttpExchange {
  readonly request: HttpRequestInfo;
  readonly status: number;
  readonly durationMs: number;
}

/** A route a plugin adds (`/metrics`), served through the same auth pipeline. */
export interface PluginRoute {
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Hono path syntax, below the mount prefix. */
  readonly path: string;
  readonly action: HttpAction | "public";
  handler(request: Request): Response | Promise<Response>;
}

/** Collects plugin routes when the app is created. */
export interface RouteCollector {
  add(route: PluginRoute): void;
}

/** The HTTP hooks, as added to the engine's hook registry. */
export interface HttpHooks {
  /** Series bail, first: return a Response to answer at once (429), or undefined to go on. */
  beforeRequest: AsyncSeriesBailHook<[HttpRequestInfo], Response | undefined>;
  /** Series bail: identify the caller, or throw `HttpError` 401. */
  authenticate: AsyncSeriesBailHook<[HttpRequestInfo], Principal | undefined>;
  /** Series bail: allow or deny an action on a resource. */
  authorize: AsyncSeriesBailHook<[AuthorizeRequest], AuthorizeDecision | undefined>;
  /** Series, after the response is ready: sees status and duration. */
  afterRequest: AsyncSeriesHook<[HttpExchange]>;
  /** Sync, when an app is created: add routes. */
  routes: SyncHook<[RouteCollector]>;
}

declare module "@flowmesh/core" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- augmentation
  interface HookRegistry extends HttpHooks {}
}
