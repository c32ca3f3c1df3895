/**
 * Finds who is calling from the request headers: an API key (`X-API-Key`, or
 * `Authorization: Bearer <key>`) or a JWT (`Authorization: Bearer <jwt>`).
 * The outcome keeps the reason a credential was refused for the logs; the
 * client only ever sees one uniform 401.
 */
import type { Principal } from "@flowmesh/server";
import type { ApiKeyStore } from "./api-keys.js";
import { JWT_SHAPE, type JwtVerifier } from "./jwt/verifier.js";

/** What the headers say about the caller. */
export type Identification =
  | { readonly kind: "anonymous" }
  | { readonly kind: "principal"; readonly principal: Principal; readonly keyId?: string | undefined }
  | {
      readonly kind: "rejected";
      readonly reason: string;
      readonly method: string;
      readonly keyId?: string | undefined;
    };

/** Longest credential read at all: beyond it nothing is hashed or parsed. */
const MAX_CREDENTIAL_BYTES = 65_536;

export interface AuthenticatorParts {
  readonly keys: ApiKeyStore;
  readonly jwt: JwtVerifier | undefined;
  readonly defaultNamespaces: readonly string[] | "*";
}

/** Identifies the caller of one request. */
export function createAuthenticator(
  parts: AuthenticatorParts,
): (headers: Headers) => Promise<Identification> {
  const { keys, jwt, defaultNamespaces } = parts;

  const byApiKey = (key: string): Identification => {
    const match = keys.match(key);
    if (!match.found) return { kind: "rejected", reason: "unknown-api-key", method: "api-key" };
    const { grant } = match;
    if (grant.revoked)
      return { kind: "rejected", reason: "revoked-api-key", method: "api-key", keyId: grant.keyId };
    return {
      kind: "principal",
      keyId: grant.keyId,
      principal: {
        id: grant.user,
        roles: grant.roles,
        namespaces: grant.namespaces ?? defaultNamespaces,
        method: "api-key",
      },
    };
  };

  return async (headers) => {
    const apiKey = headers.get("x-api-key");
    const authorization = headers.get("authorization");
    if (apiKey === null && authorization === null) return { kind: "anonymous" };
    if (apiKey !== null && authorization !== null) {
      return { kind: "rejected", reason: "multiple-credentials", method: "unknown" };
    }
    if (apiKey !== null) {
      if (apiKey.length === 0 || apiKey.length > MAX_CREDENTIAL_BYTES) {
        return { kind: "rejected", reason: "malformed-api-key", method: "api-key" };
      }
      return byApiKey(apiKey);
    }
    const match = /^Bearer +(\S+) *$/i.exec(authorization!);
    if (match === null)
      return { kind: "rejected", reason: "unsupported-authorization-scheme", method: "unknown" };
    const token = match[1]!;
    if (token.length > MAX_CREDENTIAL_BYTES)
      return { kind: "rejected", reason: "oversized-credential", method: "unknown" };
    if (jwt !== undefined && JWT_SHAPE.test(token)) {
      // A configured key shaped like a JWT still works: keys are checked first, by digest.
      const asKey = keys.size > 0 ? byApiKey(token) : undefined;
      if (asKey?.kind === "principal") return asKey;
      const outcome = await jwt(token);
      return outcome.ok
        ? { kind: "principal", principal: outcome.principal }
        : { kind: "rejected", reason: outcome.reason, method: "jwt" };
    }
    return byApiKey(token);
  };
}
