/**
 * Issues HS256 tokens the plugin accepts: `generateToken("user123", ["admin"])`.
 * Tokens carry `sub`, `iat`, `exp`, the roles (and namespaces) at the
 * configured claims, and `iss`/`aud` when configured.
 */
import { FlowMeshError } from "@flowmesh/core";
import { SignJWT } from "jose";
import { jwtOptionsSchema, type JwtOptions, type JwtOptionsInput } from "../options.js";

/** Per-token options of {@link TokenSigner.generateToken}. */
export interface GenerateTokenOptions {
  /** Lifetime: seconds, or "15m", "1h", "7d". @default the `jwt.expiresIn` option ("1h") */
  expiresIn?: number | string;
  /** Namespaces the token may act in (`"*"` for all). @default the plugin's `defaultNamespaces` */
  namespaces?: readonly string[] | "*";
}

/** Makes tokens for an HS256 setup. */
export interface TokenSigner {
  /** A signed JWT for `user` with `roles`. */
  generateToken(user: string, roles: readonly string[], options?: GenerateTokenOptions): Promise<string>;
}

/**
 * A signer for the same `jwt` options the plugin takes (`{ secret, issuer?, audience?, ... }`),
 * for services that issue tokens without running the API. Only HS256 setups can sign:
 * with a public key or JWKS, tokens come from your identity provider.
 */
export function createTokenSigner(options: JwtOptionsInput): TokenSigner {
  const parsed = jwtOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new FlowMeshError(
      "FM_ERR_INVALID_OPTIONS",
      `createTokenSigner: ${parsed.error.issues.map((i) => `option "${["jwt", ...i.path].join(".")}": ${i.message}`).join("; ")}`,
      {
        details: { issues: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })) },
      },
    );
  }
  return signerFor(parsed.data);
}

/** A signer for validated options. */
export function signerFor(jwt: JwtOptions | undefined): TokenSigner {
  if (jwt?.secret === undefined) {
    const signer: TokenSigner = {
      generateToken: () =>
        Promise.reject(
          new FlowMeshError(
            "FM_ERR_INVALID_OPTIONS",
            'generateToken needs an HS256 setup: option "jwt.secret" is not set (with a public key or JWKS, your identity provider issues tokens)',
          ),
        ),
    };
    return signer;
  }
  const secret = new TextEncoder().encode(jwt.secret);
  return {
    async generateToken(user, roles, tokenOptions = {}) {
      if (typeof user !== "string" || user.length === 0) {
        throw new FlowMeshError("FM_ERR_INVALID_OPTIONS", "generateToken: user must be a non-empty string");
      }
      if (!Array.isArray(roles) || !roles.every((role) => typeof role === "string")) {
        throw new FlowMeshError("FM_ERR_INVALID_OPTIONS", "generateToken: roles must be an array of strings");
      }
      const claims: Record<string, unknown> = {};
      setClaim(claims, jwt.rolesClaim, [...roles]);
      if (tokenOptions.namespaces !== undefined) {
        setClaim(
          claims,
          jwt.namespacesClaim,
          tokenOptions.namespaces === "*" ? "*" : [...tokenOptions.namespaces],
        );
      }
      let builder = new SignJWT(claims)
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setSubject(user)
        .setIssuedAt()
        .setExpirationTime(lifetime(tokenOptions.expiresIn ?? jwt.expiresIn));
      const issuer = Array.isArray(jwt.issuer) ? jwt.issuer[0] : jwt.issuer;
      if (issuer !== undefined) builder = builder.setIssuer(issuer);
      if (jwt.audience !== undefined) builder = builder.setAudience(jwt.audience);
      return builder.sign(secret);
    },
  };
}

/** jose reads a number as an absolute time; FlowMesh's rule is "a number is seconds from now". */
function lifetime(expiresIn: number | string): string {
  if (typeof expiresIn === "number") {
    if (!Number.isInteger(expiresIn) || expiresIn <= 0) {
      throw new FlowMeshError(
        "FM_ERR_INVALID_OPTIONS",
        `generateToken: expiresIn must be a positive number of seconds, received ${expiresIn}`,
      );
    }
    return `${expiresIn}s`;
  }
  if (!/^\d+\s*(s|m|h|d)$/.test(expiresIn)) {
    throw new FlowMeshError(
      "FM_ERR_INVALID_OPTIONS",
      `generateToken: expiresIn must be seconds or a string such as "15m", "1h", "7d", received "${expiresIn}"`,
    );
  }
  return expiresIn;
}

function setClaim(claims: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let target = claims;
  for (const part of parts.slice(0, -1)) {
    const next = (target[part] ??= {}) as Record<string, unknown>;
    target = next;
  }
  target[parts[parts.length - 1]!] = value;
}
