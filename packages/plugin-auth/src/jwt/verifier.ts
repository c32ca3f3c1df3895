/**
 * Verifies bearer JWTs with jose: pinned algorithms, `exp` and `sub`
 * required, `nbf` always honoured, `iss`/`aud` when configured, an explicit
 * clock tolerance and a size cap checked before any parsing. The outcome says
 * why a token failed, for the server's logs only; clients get one answer.
 */
import { errors, jwtVerify, type JWTPayload } from "jose";
import type { Principal } from "@flowmesh/server";
import { claimAt, stringList } from "../claims.js";
import type { JwtOptions } from "../options.js";
import type { VerificationKey } from "./keys.js";

/** A verified token's principal, or why the token was refused (never sent to clients). */
export type JwtOutcome =
  { readonly ok: true; readonly principal: Principal } | { readonly ok: false; readonly reason: string };

/** Verifies one compact JWS token. */
export type JwtVerifier = (token: string) => Promise<JwtOutcome>;

/** Compact JWS shape: three base64url segments. Anything else is not even tried as a JWT. */
export const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Builds the verifier from validated options and a resolved key. */
export function createJwtVerifier(
  options: JwtOptions,
  key: VerificationKey,
  defaultNamespaces: readonly string[] | "*",
): JwtVerifier {
  const verifyOptions = {
    algorithms: [...key.algorithms],
    clockTolerance: options.clockTolerance,
    requiredClaims: ["exp", "sub"],
    ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
    ...(options.audience === undefined ? {} : { audience: options.audience }),
  };
  return async (token) => {
    if (Buffer.byteLength(token, "utf8") > options.maxTokenBytes)
      return { ok: false, reason: "jwt-oversized" };
    if (!JWT_SHAPE.test(token)) return { ok: false, reason: "jwt-malformed" };
    let payload: JWTPayload;
    try {
      // The overloads differ only in the key's type; one call site keeps the options identical.
      ({ payload } =
        typeof key.key === "function"
          ? await jwtVerify(token, key.key, verifyOptions)
          : await jwtVerify(token, key.key, verifyOptions));
    } catch (error) {
      return { ok: false, reason: reasonOf(error) };
    }
    const subject = payload.sub;
    if (typeof subject !== "string" || subject.length === 0)
      return { ok: false, reason: "jwt-subject-invalid" };
    const rolesValue = claimAt(payload, options.rolesClaim);
    const roles = rolesValue === undefined ? [] : stringList(rolesValue);
    if (roles === undefined) return { ok: false, reason: "jwt-roles-claim-invalid" };
    const namespacesValue = claimAt(payload, options.namespacesClaim);
    const namespaces =
      namespacesValue === "*"
        ? "*"
        : namespacesValue === undefined
          ? defaultNamespaces
          : stringList(namespacesValue);
    if (namespaces === undefined || namespaces.length === 0)
      return { ok: false, reason: "jwt-namespaces-claim-invalid" };
    return { ok: true, principal: { id: subject, roles, namespaces, method: "jwt" } };
  };
}

/** A short, log-safe reason: which check failed, never the token. */
function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "jwt-expired";
  if (error instanceof errors.JWTClaimValidationFailed) return `jwt-claim-${error.claim}-${error.reason}`;
  if (error instanceof errors.JOSEAlgNotAllowed) return "jwt-algorithm-not-allowed";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "jwt-signature-invalid";
  if (error instanceof errors.JWKSNoMatchingKey) return "jwt-unknown-key";
  if (error instanceof errors.JWKSMultipleMatchingKeys) return "jwt-ambiguous-key";
  if (error instanceof errors.JWKSTimeout) return "jwks-timeout";
  if (error instanceof errors.JWTInvalid) return "jwt-invalid";
  if (error instanceof errors.JWSInvalid) return "jws-invalid";
  if (error instanceof errors.JOSEError) return `jose-${error.code}`;
  return "jwt-verification-error";
}
