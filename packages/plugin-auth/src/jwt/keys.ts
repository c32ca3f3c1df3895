/**
 * Turns the `jwt` options into a verification key and the algorithms it may
 * be used with. Algorithms are pinned by key type: an HS256 secret verifies
 * only HS256, an RSA key only RS256, a P-256 key only ES256, so a token
 * cannot pick its own algorithm (`alg: none`, HS256 signed with a public key).
 */
import { createPublicKey, type JsonWebKey } from "node:crypto";
import { FlowMeshError } from "@flowmesh/core";
import {
  createRemoteJWKSet,
  importJWK,
  importSPKI,
  type CryptoKey,
  type JWK,
  type JWTVerifyGetKey,
} from "jose";
import type { JwtOptions } from "../options.js";

/** What `jwtVerify` needs. */
export interface VerificationKey {
  readonly key: CryptoKey | Uint8Array | JWTVerifyGetKey;
  readonly algorithms: readonly string[];
  /** For logs: `hs256-secret`, `public-key`, `jwks`. */
  readonly source: string;
}

/** Resolves the verification key once, at setup; a bad key fails the start with a clear error. */
export async function resolveVerificationKey(options: JwtOptions): Promise<VerificationKey> {
  if (options.secret !== undefined) {
    return { key: new TextEncoder().encode(options.secret), algorithms: ["HS256"], source: "hs256-secret" };
  }
  if (options.jwksUrl !== undefined) {
    const jwks = createRemoteJWKSet(new URL(options.jwksUrl), {
      timeoutDuration: 5_000,
      cooldownDuration: 30_000,
      cacheMaxAge: 10 * 60_000,
    });
    return { key: jwks, algorithms: options.algorithms ?? ["RS256", "ES256"], source: "jwks" };
  }
  if (options.publicKey !== undefined) {
    const algorithm = publicKeyAlgorithm(options.publicKey);
    if (options.algorithms !== undefined && options.algorithms.some((a) => a !== algorithm)) {
      throw invalid(
        `"algorithms" lists ${options.algorithms.join(", ")}, but the public key is for ${algorithm} only`,
      );
    }
    const key =
      typeof options.publicKey === "string"
        ? await importSPKI(options.publicKey, algorithm)
        : await importJWK(options.publicKey as JWK, algorithm);
    if (key instanceof Uint8Array) throw invalid('a JWK of type oct is a secret; use the "secret" option');
    return { key, algorithms: [algorithm], source: "public-key" };
  }
  throw invalid('give one of "secret", "publicKey" or "jwksUrl"');
}

/** RS256 for RSA keys of at least 2048 bits, ES256 for P-256 keys; anything else is refused. */
function publicKeyAlgorithm(publicKey: string | Record<string, unknown>): "RS256" | "ES256" {
  if (typeof publicKey !== "string" && "d" in publicKey) {
    throw invalid('the JWK holds a private key (it has "d"); configure the public half only');
  }
  let keyObject;
  try {
    keyObject =
      typeof publicKey === "string"
        ? createPublicKey(publicKey)
        : createPublicKey({ key: publicKey as JsonWebKey, format: "jwk" });
  } catch (error) {
    throw invalid(
      `could not read the public key (${error instanceof Error ? error.message : String(error)}); expected SPKI PEM ("-----BEGIN PUBLIC KEY-----") or a public JWK`,
    );
  }
  if (typeof publicKey === "string" && publicKey.includes("PRIVATE KEY")) {
    throw invalid('the PEM holds a private key; configure the public key ("-----BEGIN PUBLIC KEY-----")');
  }
  const type = keyObject.asymmetricKeyType;
  const details = keyObject.asymmetricKeyDetails;
  if (type === "rsa") {
    if ((details?.modulusLength ?? 0) < 2048) {
      throw invalid(`RSA keys need at least 2048 bits, received ${details?.modulusLength ?? "unknown"}`);
    }
    return "RS256";
  }
  if (type === "ec" && details?.namedCurve === "prime256v1") return "ES256";
  throw invalid(
    `unsupported key type "${type ?? "unknown"}${details?.namedCurve ? ` (${details.namedCurve})` : ""}": use RSA (RS256) or EC P-256 (ES256)`,
  );
}

function invalid(message: string): FlowMeshError {
  return new FlowMeshError("FM_ERR_INVALID_OPTIONS", `plugin "auth": option "jwt.publicKey": ${message}`, {
    details: { plugin: "auth", path: "jwt.publicKey" },
  });
}
