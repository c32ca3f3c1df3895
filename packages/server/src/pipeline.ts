/**
 * The request pipeline around every route: `beforeRequest`, then (unless the
 * route is public) `authenticate`, then the route, which calls
 * {@link Pipeline.authorize} once it knows the resource, then `afterRequest`.
 * Hooks nobody tapped are skipped, so an open dev server pays nothing.
 */
import type { FlowMesh, Logger } from "@flowmesh/core";
import { FlowMeshError } from "@flowmesh/core";
import { isTapped } from "@flowmesh/core/plugin";
import type { Context, MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type {
  AuthorizeDecision,
  HttpAction,
  HttpHooks,
  HttpRequestInfo,
  HttpResource,
  Principal,
} from "./hooks.js";
import { errorResponse, notFound } from "./http-errors.js";

/** Per-request state routes read from the Hono context. */
export interface RequestState {
  readonly info: HttpRequestInfo;
  /** The path the app is mounted at, as clients see it (`/flowmesh`, or `""`): for links. */
  readonly mount: string;
}

/** The Hono environment of the FlowMesh app. */
export interface FlowMeshEnv {
  Variables: { fm: RequestState };
}

const ALLOW_ALL: AuthorizeDecision = { allow: true, namespaces: "*" };

/** The hooks and the engine, wired once per app. */
export class Pipeline {
  private initialized = false;
  private initializing: Promise<void> | undefined;

  constructor(
    readonly engine: FlowMesh,
    readonly hooks: HttpHooks,
    readonly logger: Logger,
    /** Called once the engine's plugins are set up, before the first request goes on. */
    private readonly onInitialized: () => void,
  ) {}

  /** The global middleware: engine ready, `beforeRequest`, response headers, `afterRequest`. */
  middleware(): MiddlewareHandler<FlowMeshEnv> {
    return async (c, next) => {
      const started = performance.now();
      const routeMount = mountOf(routePath(c));
      const mount = hostPrefix(c) + routeMount;
      const path = c.req.path;
      const info = new RequestInfo(
        c.req.method,
        routeMount === "" ? path : path.slice(routeMount.length) || "/",
        c.req.raw,
        clientIp(c),
      );
      c.set("fm", { info, mount });
      try {
        // Plugins tap auth hooks in their setup: no request may go on before that ran.
        if (!this.initialized) await this.initialize();
        const early = isTapped(this.hooks.beforeRequest)
          ? await this.hooks.beforeRequest.promise(info)
          : undefined;
        if (early !== undefined) c.res = early;
        else await next();
      } catch (error) {
        c.res = errorResponse(error, this.logger);
      }
      const extra = info.extraResponseHeaders();
      if (extra !== undefined) c.res = withHeaders(c.res, extra);
      if (isTapped(this.hooks.afterRequest)) {
        const exchange = { request: info, status: c.res.status, durationMs: performance.now() - started };
        await this.hooks.afterRequest.promise(exchange).catch((error: unknown) => {
          this.logger.error({ err: error, hook: "afterRequest" }, "afterRequest hook failed");
        });
      }
    };
  }

  /** Route middleware: records the route and action, then authenticates unless the action is public. */
  guard(action: HttpAction | "public", route: string): MiddlewareHandler<FlowMeshEnv> {
    return async (c, next) => {
      const { info } = c.get("fm");
      info.route = route;
      info.action = action;
      if (action !== "public") await this.authenticate(info);
      await next();
    };
  }

  /** Runs `authenticate` (when tapped) and records the principal. */
  async authenticate(info: HttpRequestInfo): Promise<void> {
    if (isTapped(this.hooks.authenticate))
      info.principal = (await this.hooks.authenticate.promise(info)) ?? undefined;
  }

  /**
   * Asks `authorize` whether the caller may act on a resource. Denied with
   * `hide` throws the same 404 as a missing resource; denied otherwise, 403.
   * Returns the decision (its `namespaces` narrow list routes).
   */
  async authorize(
    c: Context<FlowMeshEnv>,
    action: HttpAction,
    resource: HttpResource,
  ): Promise<AuthorizeDecision> {
    if (!isTapped(this.hooks.authorize)) return ALLOW_ALL;
    const { info } = c.get("fm");
    const decision = await this.hooks.authorize.promise({
      principal: info.principal,
      action,
      resource,
      request: info,
    });
    if (decision === undefined || decision.allow) return decision ?? ALLOW_ALL;
    if (decision.hide === true) throw notFound(resource.kind, resource.id);
    // One body for every refusal: it never says which permission, role or namespace check failed.
    throw new FlowMeshError("FM_ERR_FORBIDDEN", "not allowed");
  }

  private initialize(): Promise<void> {
    this.initializing ??= this.engine.ready().then(
      () => {
        this.initialized = true;
        this.onInitialized();
      },
      (error: unknown) => {
        // Let a later request try again; this one fails with the reason.
        this.initializing = undefined;
        throw error;
      },
    );
    return this.initializing;
  }
}

/** The namespaces a decision limits a list to: undefined for all. */
export function allowedNamespaces(decision: AuthorizeDecision): readonly string[] | undefined {
  if (!decision.allow || decision.namespaces === undefined || decision.namespaces === "*") return undefined;
  return decision.namespaces;
}

/**
 * One request as hooks see it. `headers` and `responseHeaders` are built on
 * first use: a request no hook looks at allocates neither.
 */
class RequestInfo implements HttpRequestInfo {
  route = "unmatched";
  principal: Principal | undefined = undefined;
  action: HttpAction | "public" | undefined = undefined;
  readonly #request: Request;
  #responseHeaders: Headers | undefined;

  constructor(
    readonly method: string,
    readonly path: string,
    request: Request,
    readonly ip: string | undefined,
  ) {
    this.#request = request;
  }

  get headers(): Headers {
    return this.#request.headers;
  }

  get responseHeaders(): Headers {
    return (this.#responseHeaders ??= new Headers());
  }

  /** The headers hooks added to the response, if any. */
  extraResponseHeaders(): Headers | undefined {
    const headers = this.#responseHeaders;
    if (headers === undefined) return undefined;
    let any = false;
    headers.forEach(() => (any = true));
    return any ? headers : undefined;
  }

  /** Plain data, as a hook that logs or spreads the request sees it. */
  toJSON(): HttpRequestInfo {
    return {
      method: this.method,
      path: this.path,
      route: this.route,
      headers: this.headers,
      ip: this.ip,
      responseHeaders: this.responseHeaders,
      principal: this.principal,
      action: this.action,
    };
  }
}

const mounts = new Map<string, string>();

/** `"/flowmesh/*"` → `"/flowmesh"`; `"/*"` or `"*"` → `""`. Memoised: an app has a few patterns. */
function mountOf(pattern: string): string {
  let mount = mounts.get(pattern);
  if (mount === undefined) {
    mount = pattern.replace(/\/?\*$/, "");
    if (mounts.size < 1_000) mounts.set(pattern, mount);
  }
  return mount;
}

/**
 * The path a Node framework stripped before handing the request over
 * (Express `app.use("/flowmesh", ...)` keeps it in `originalUrl`), so links
 * the API sends (`Location`, OpenAPI `servers`) carry it.
 */
function hostPrefix(c: Context<FlowMeshEnv>): string {
  const incoming = (c.env as { incoming?: { url?: string; originalUrl?: string } } | undefined)?.incoming;
  const original = incoming?.originalUrl;
  if (original === undefined || incoming?.url === undefined || original === incoming.url) return "";
  const originalPath = original.split("?")[0]!;
  const path = incoming.url.split("?")[0]!;
  if (path === "/" && !originalPath.endsWith("/")) return originalPath;
  return originalPath.endsWith(path) ? originalPath.slice(0, originalPath.length - path.length) : "";
}

function clientIp(c: Context<FlowMeshEnv>): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress;
}

/** The response with extra headers; rebuilt when its headers are immutable. */
function withHeaders(response: Response, headers: Headers): Response {
  try {
    headers.forEach((value, key) => response.headers.set(key, value));
    return response;
  } catch {
    const copy = new Response(response.body, response);
    headers.forEach((value, key) => copy.headers.set(key, value));
    return copy;
  }
}
