/**
 * The plugin's options, validated with zod when the engine starts. Users pass
 * `z.input<typeof authOptionsSchema>`; errors name the option path and never
 * repeat a secret (a plain API key is named by its position, a JWT secret by
 * its length).
 */
import { z } from "zod";
import { DIGEST_PATTERN } from "./api-keys.js";
import { isBuiltInRole, PERMISSIONS } from "./permissions.js";

const name = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:@-]+$/, "use letters, digits and _ . : @ -");

/** `"*"` for every namespace, or a non-empty list. */
const namespacesSchema = z.union([z.literal("*"), z.array(name).min(1)]);

const apiKeyEntrySchema = z.strictObject({
  /** Recorded as the principal's id and as a run's `startedBy`. */
  user: z.string().min(1).max(256),
  /** Roles the key grants. @default [] */
  roles: z.array(name).default([]),
  /** Namespaces the key may act in. @default the plugin's `defaultNamespaces` */
  namespaces: namespacesSchema.optional(),
  /** How logs name the key. @default "sha256:" and the digest's first 8 hex digits */
  id: z.string().min(1).max(128).optional(),
  /** A revoked key is refused like an unknown one (and logged as revoked). @default false */
  revoked: z.boolean().default(false),
});

/** One configured API key, as the plugin keeps it after validation. */
export interface ApiKeyConfig extends z.output<typeof apiKeyEntrySchema> {
  /** The key in plain text, or `sha256:<hex>`. */
  readonly key: string;
}

/**
 * `apiKeys`: a record from key (or `sha256:<hex>` digest) to grant. Validated
 * entry by entry so an error names a plain key by its position (`apiKeys[2]`),
 * never by the key itself.
 */
const apiKeysSchema = z.record(z.string(), z.unknown()).transform((record, ctx): ApiKeyConfig[] => {
  const out: ApiKeyConfig[] = [];
  Object.entries(record).forEach(([key, value], index) => {
    const label: string | number = DIGEST_PATTERN.test(key) ? key : index;
    if (key.startsWith("sha256:") && !DIGEST_PATTERN.test(key)) {
      ctx.addIssue({
        code: "custom",
        path: [label],
        message: 'a digest must be "sha256:" followed by 64 lowercase hex digits (see generateApiKey())',
      });
      return;
    }
    if (!key.startsWith("sha256:") && key.length < 8) {
      ctx.addIssue({ code: "custom", path: [label], message: "a plain API key needs at least 8 characters" });
      return;
    }
    const parsed = apiKeyEntrySchema.safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        ctx.addIssue({ code: "custom", path: [label, ...issue.path], message: issue.message });
      }
      return;
    }
    out.push({ key, ...parsed.data });
  });
  return out;
});

const claimPath = z
  .string()
  .min(1)
  .regex(/^[^.]+(\.[^.]+)*$/, 'a claim name, or a dotted path such as "realm_access.roles"');

const jwtSchema = z
  .strictObject({
    /** HS256 secret, at least 32 bytes. Exactly one of `secret`, `publicKey`, `jwksUrl`. */
    secret: z.string().optional(),
    /** RS256/ES256 public key: PEM (SPKI) text or a public JWK. */
    publicKey: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).optional(),
    /** URL of a JSON Web Key Set (https, or http on a loopback address). */
    jwksUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** Accepted algorithms for `publicKey`/`jwksUrl`. @default the key's own (publicKey), ["RS256", "ES256"] (jwksUrl) */
    algorithms: z
      .array(z.enum(["RS256", "ES256"]))
      .min(1)
      .optional(),
    /** Required `iss`. */
    issuer: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    /** Required `aud` (one of). */
    audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    /** Leeway for `exp` and `nbf`, in seconds. @default 5 */
    clockTolerance: z.number().int().min(0).max(300).default(5),
    /** Claim (or dotted path) holding the roles: an array, or a space-separated string. @default "roles" */
    rolesClaim: claimPath.default("roles"),
    /** Claim (or dotted path) holding the namespaces: an array or `"*"`. @default "namespaces" */
    namespacesClaim: claimPath.default("namespaces"),
    /** Longer tokens are refused before any parsing. @default 8192 */
    maxTokenBytes: z.number().int().min(256).max(65_536).default(8192),
    /** Lifetime of tokens made by `generateToken`, when the call does not say: seconds, or "15m", "1h". @default "1h" */
    expiresIn: z.union([z.number().int().positive(), z.string().regex(/^\d+\s*(s|m|h|d)$/)]).default("1h"),
  })
  .superRefine((jwt, ctx) => {
    const sources = [jwt.secret, jwt.publicKey, jwt.jwksUrl].filter((s) => s !== undefined).length;
    if (sources !== 1) {
      ctx.addIssue({
        code: "custom",
        message: `give exactly one of "secret" (HS256), "publicKey" (RS256/ES256) or "jwksUrl", received ${sources}`,
      });
    }
    if (jwt.secret !== undefined && Buffer.byteLength(jwt.secret, "utf8") < 32) {
      ctx.addIssue({
        code: "custom",
        path: ["secret"],
        message: `an HS256 secret needs at least 32 bytes (256 bits), received ${Buffer.byteLength(jwt.secret, "utf8")} bytes: generate one with \`openssl rand -base64 48\``,
      });
    }
    if (jwt.secret !== undefined && jwt.algorithms !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["algorithms"],
        message: 'a "secret" always means HS256; remove "algorithms"',
      });
    }
    if (jwt.jwksUrl !== undefined && !isSafeJwksUrl(jwt.jwksUrl)) {
      ctx.addIssue({
        code: "custom",
        path: ["jwksUrl"],
        message: `must be https (http only on 127.0.0.1, ::1 or localhost), received "${jwt.jwksUrl}"`,
      });
    }
  });

const rateLimitSchema = z.strictObject({
  /** Requests per minute for each authenticated principal (token bucket: also the burst). @default 600 */
  requestsPerMinute: z.number().int().positive().default(600),
  /** Per-role limits; a principal gets the highest of its roles', else `requestsPerMinute`. @default {} */
  roles: z.record(name, z.number().int().positive()).default({}),
  /** Requests per minute per client IP for requests without valid credentials (public routes, failed logins). @default 60 */
  anonymousRequestsPerMinute: z.number().int().positive().default(60),
  /** `auto` shares buckets in Redis when the `redis` capability (or the `redis` option) is present. @default "auto" */
  store: z.enum(["auto", "memory", "redis"]).default("auto"),
});

/** The minimum of an ioredis client the rate limiter uses. */
export interface RedisScriptClient {
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

/** The plugin's options. */
export const authOptionsSchema = z.strictObject({
  /** `{ "key-or-sha256:<hex>": { user, roles, namespaces?, id?, revoked? } }`. @default {} */
  apiKeys: apiKeysSchema.prefault({}),
  /** JWT verification (see the README). */
  jwt: jwtSchema.optional(),
  /** Custom roles, each a list of permissions; built-in roles cannot be redefined. @default {} */
  roles: z
    .record(name, z.array(z.enum(PERMISSIONS)))
    .default({})
    .superRefine((roles, ctx) => {
      for (const role of Object.keys(roles)) {
        if (isBuiltInRole(role)) {
          ctx.addIssue({
            code: "custom",
            path: [role],
            message: `"${role}" is a built-in role (viewer, runner, editor, admin) and cannot be redefined; pick another name`,
          });
        }
      }
    }),
  /** Namespaces of principals whose key or token names none. @default ["default"] */
  defaultNamespaces: namespacesSchema.default(["default"]),
  /** Routes anyone may call without credentials: templates such as "/healthz" or "GET /healthz". @default ["/healthz"] */
  publicRoutes: z
    .array(
      z
        .string()
        .regex(/^((GET|POST|PUT|PATCH|DELETE) )?\/\S*$/, 'a path such as "/healthz" or "GET /healthz"'),
    )
    .default(["/healthz"]),
  /** Token-bucket rate limits, or `false` to turn them off. @default { requestsPerMinute: 600, anonymousRequestsPerMinute: 60 } */
  rateLimit: z.union([z.literal(false), rateLimitSchema]).default(() => rateLimitSchema.parse({})),
  /** An ioredis client for shared rate limits; otherwise the `redis` capability is used when present. */
  redis: z
    .custom<RedisScriptClient>(
      (value) =>
        typeof value === "object" &&
        value !== null &&
        typeof (value as { evalsha?: unknown }).evalsha === "function" &&
        typeof (value as { eval?: unknown }).eval === "function",
      "expected an ioredis client (an object with evalsha() and eval())",
    )
    .optional(),
  /** Key prefix for rate-limit buckets with an explicit `redis` client. @default "flowmesh:" */
  redisKeyPrefix: z.string().min(1).default("flowmesh:"),
});

/** Options as users write them. */
export type AuthOptions = z.input<typeof authOptionsSchema>;
/** Options after validation and defaults. */
export type ResolvedAuthOptions = z.output<typeof authOptionsSchema>;
/** The `jwt` section after validation. */
export type JwtOptions = z.output<typeof jwtSchema>;
/** The `jwt` section as users write it. */
export type JwtOptionsInput = z.input<typeof jwtSchema>;
/** The `rateLimit` section after validation. */
export type RateLimitOptions = z.output<typeof rateLimitSchema>;

/** Validates a `jwt` section on its own (used by the token signer). */
export const jwtOptionsSchema = jwtSchema;

function isSafeJwksUrl(url: string): boolean {
  const parsed = new URL(url);
  if (parsed.protocol === "https:") return true;
  return ["127.0.0.1", "[::1]", "localhost"].includes(parsed.hostname);
}
