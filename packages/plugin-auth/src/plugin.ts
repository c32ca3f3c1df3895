/**
 * The `auth` plugin: every API request is identified (`beforeRequest`, so the
 * rate limiter knows whose bucket to use), authenticated, authorized with
 * roles and namespaces, and rate-limited. Public routes are only those the
 * server marks public and those listed in `publicRoutes`.
 */
import { definePlugin, type FlowMeshPlugin, type Logger } from "@flowmesh/core";
import { ensureHttpHooks, type HttpRequestInfo } from "@flowmesh/server";
import { ApiKeyStore } from "./api-keys.js";
import { createAuthenticator, type Identification } from "./authenticator.js";
import { resolveVerificationKey } from "./jwt/keys.js";
import { signerFor, type TokenSigner } from "./jwt/signer.js";
import { createJwtVerifier } from "./jwt/verifier.js";
import {
  authOptionsSchema,
  type AuthOptions,
  type RedisScriptClient,
  type ResolvedAuthOptions,
} from "./options.js";
import { publicRouteMatcher } from "./public-routes.js";
import { rateLimitedResponse, unauthenticated } from "./responses.js";
import { setRateLimitHeaders } from "./rate-limit/headers.js";
import { bucketFor, createLimiter } from "./rate-limit/select.js";
import { createAccessPolicy } from "./rbac.js";
import { FlowMeshError } from "@flowmesh/core";

const PLUGIN_NAME = "auth";

const authPlugin = definePlugin({
  name: PLUGIN_NAME,
  options: authOptionsSchema,
  async setup(ctx, options) {
    ensureHttpHooks(ctx);
    const logger = ctx.logger;
    const policy = createAccessPolicy(options.roles);
    const keys = loadKeys(options, (role) => policy.hasRole(role), logger);
    const jwt =
      options.jwt === undefined
        ? undefined
        : createJwtVerifier(
            options.jwt,
            await resolveVerificationKey(options.jwt),
            options.defaultNamespaces,
          );
    if (keys.size === 0 && jwt === undefined) {
      logger.warn(
        { event: "auth.no_credentials_configured" },
        "auth: no API keys and no JWT configured: every non-public request will be refused with 401",
      );
    }
    const identify = createAuthenticator({ keys, jwt, defaultNamespaces: options.defaultNamespaces });
    const isPublic = publicRouteMatcher(options.publicRoutes);
    const limiter =
      options.rateLimit === false ? undefined : createLimiter(redisFor(options, ctx.use("redis")), logger);
    if (limiter !== undefined) ctx.onClose(() => limiter.close());

    // One identification per request, shared by the rate limiter and `authenticate`.
    const identified = new WeakMap<HttpRequestInfo, Promise<Identification>>();
    const identification = (request: HttpRequestInfo): Promise<Identification> => {
      let outcome = identified.get(request);
      if (outcome === undefined) {
        outcome = identify(request.headers);
        identified.set(request, outcome);
      }
      return outcome;
    };

    if (limiter !== undefined && options.rateLimit !== false) {
      const rateLimit = options.rateLimit;
      ctx.hooks.beforeRequest.tapPromise(async (request) => {
        const who = isPublic(request) ? undefined : await identification(request);
        const principal = who?.kind === "principal" ? who.principal : undefined;
        const { bucket, policy } = bucketFor(rateLimit, principal, request.ip);
        const decision = await limiter.consume(bucket, policy);
        setRateLimitHeaders(request.responseHeaders, policy, decision);
        if (decision.allowed) return undefined;
        logger.info(
          {
            event: "auth.rate_limited",
            policy: policy.name,
            ...(principal === undefined ? { ip: request.ip } : { principal: principal.id }),
            route: request.route,
            retryAfterSeconds: decision.retryAfterSeconds,
          },
          "rate limit exceeded",
        );
        return rateLimitedResponse(decision.retryAfterSeconds);
      });
    }

    ctx.hooks.authenticate.tapPromise(async (request) => {
      if (isPublic(request)) return undefined;
      const who = await identification(request);
      if (who.kind === "principal") {
        if (logger.isLevelEnabled?.("debug") ?? logger.level === "debug") {
          logger.debug(
            {
              event: "auth.authenticated",
              principal: who.principal.id,
              method: who.principal.method,
              keyId: who.keyId,
            },
            "authenticated",
          );
        }
        return who.principal;
      }
      logger.warn(
        {
          event: "auth.failed",
          reason: who.kind === "anonymous" ? "missing-credentials" : who.reason,
          method: who.kind === "anonymous" ? undefined : who.method,
          keyId: who.kind === "rejected" ? who.keyId : undefined,
          ip: request.ip,
          route: request.route,
          httpMethod: request.method,
        },
        "authentication failed",
      );
      throw unauthenticated();
    });

    ctx.hooks.authorize.tapPromise(async ({ principal, action, resource, request }) => {
      if (isPublic(request)) return { allow: true };
      // Deny by default: an unidentified caller reaching here (another plugin let it through) gets nothing.
      if (principal === undefined) return { allow: false };
      const decision = policy.decide(principal, action, resource);
      if (!decision.allow) {
        logger.info(
          {
            event: "auth.denied",
            principal: principal.id,
            action,
            resource: resource.kind,
            namespace: resource.namespace,
            hidden: decision.hide === true,
            route: request.route,
          },
          "request denied",
        );
      }
      return decision;
    });
  },
});

/** The plugin instance: a FlowMesh plugin that can also issue tokens for its own HS256 setup. */
export interface AuthPlugin extends FlowMeshPlugin, TokenSigner {}

/**
 * API keys, JWT, roles with namespaces and rate limits for the FlowMesh HTTP API.
 *
 * ```ts
 * const security = auth({ apiKeys: { "prod-key": { user: "admin", roles: ["admin"] } } });
 * createFlowMesh({ plugins: [security] });
 * ```
 *
 * `generateToken(user, roles, { expiresIn, namespaces })` on the returned plugin signs HS256 tokens
 * with `jwt.secret` (see also {@link createTokenSigner} for services that only issue tokens).
 */
export function auth(options?: AuthOptions): AuthPlugin {
  const plugin = authPlugin(options);
  let signer: TokenSigner | undefined;
  return {
    ...plugin,
    generateToken(user, roles, tokenOptions) {
      signer ??= signerFor(parseForSigning(options));
      return signer.generateToken(user, roles, tokenOptions);
    },
  };
}

function parseForSigning(options: AuthOptions | undefined): ResolvedAuthOptions["jwt"] {
  const parsed = authOptionsSchema.shape.jwt.safeParse(options?.jwt);
  if (!parsed.success) {
    throw new FlowMeshError(
      "FM_ERR_INVALID_OPTIONS",
      `plugin "auth": ${parsed.error.issues.map((i) => `option "${["jwt", ...i.path].join(".")}": ${i.message}`).join("; ")}`,
    );
  }
  return parsed.data;
}

function loadKeys(
  options: ResolvedAuthOptions,
  hasRole: (role: string) => boolean,
  logger: Logger,
): ApiKeyStore {
  const store = new ApiKeyStore();
  let plain = 0;
  options.apiKeys.forEach((entry, index) => {
    const unknown = entry.roles.filter((role) => !hasRole(role));
    if (unknown.length > 0) {
      const label = entry.key.startsWith("sha256:") ? `["${entry.key}"]` : `[${index}]`;
      throw new FlowMeshError(
        "FM_ERR_INVALID_OPTIONS",
        `plugin "auth": option "apiKeys${label}.roles": unknown role ${unknown.map((r) => `"${r}"`).join(", ")}; built-in roles are viewer, runner, editor, admin, or define it under "roles"`,
        { details: { plugin: PLUGIN_NAME, path: `apiKeys${label}.roles`, unknown } },
      );
    }
    if (!entry.key.startsWith("sha256:")) plain++;
    store.add(entry.key, {
      user: entry.user,
      roles: entry.roles,
      namespaces: entry.namespaces,
      revoked: entry.revoked,
      id: entry.id,
    });
  });
  if (plain > 0) {
    logger.warn(
      { event: "auth.plain_api_keys", count: plain },
      `auth: ${plain} API key(s) configured in plain text; prefer "sha256:<hex>" digests (generateApiKey() prints both)`,
    );
  }
  return store;
}

function redisFor(
  options: ResolvedAuthOptions,
  shared: { client: unknown; keyPrefix: string } | undefined,
): { client: RedisScriptClient; keyPrefix: string } | undefined {
  if (options.rateLimit === false || options.rateLimit.store === "memory") return undefined;
  if (options.redis !== undefined) return { client: options.redis, keyPrefix: options.redisKeyPrefix };
  if (shared !== undefined)
    return { client: shared.client as RedisScriptClient, keyPrefix: shared.keyPrefix };
  if (options.rateLimit.store === "redis") {
    throw new FlowMeshError(
      "FM_ERR_INVALID_OPTIONS",
      'plugin "auth": option "rateLimit.store" is "redis", but there is no Redis: pass `redis: client`, or list the redis() plugin before auth()',
      { details: { plugin: PLUGIN_NAME, path: "rateLimit.store" } },
    );
  }
  return undefined;
}
