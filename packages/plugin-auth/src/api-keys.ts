/**
 * API keys. Keys are held only as SHA-256 digests: a presented key is hashed
 * and looked up by its digest, then the digests are compared in constant time
 * (`timingSafeEqual` over 32 bytes). Every presented key, right or wrong,
 * takes the same path: one hash, one map lookup, one 32-byte comparison.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** The digest form accepted in `apiKeys` configuration: `sha256:` and 64 hex digits. */
export const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

/** What a key grants, as configured. */
export interface ApiKeyGrant {
  readonly user: string;
  readonly roles: readonly string[];
  readonly namespaces: readonly string[] | "*" | undefined;
  readonly revoked: boolean;
  /** How logs name this key: the configured `id`, else the first 8 hex digits of its digest. */
  readonly keyId: string;
}

/** A newly generated key and the digest to put in configuration instead of the key. */
export interface GeneratedApiKey {
  /** The secret: give it to the client once, never store it. `fm_` and 43 base64url characters (256 bits). */
  readonly key: string;
  /** `sha256:<hex>`: safe to keep in configuration files and version control. */
  readonly digest: string;
}

/** Generates a strong API key (256 random bits) and its digest. */
export function generateApiKey(): GeneratedApiKey {
  const key = `fm_${randomBytes(32).toString("base64url")}`;
  return { key, digest: hashApiKey(key) };
}

/** The `sha256:<hex>` digest of a key, as `apiKeys` accepts it. */
export function hashApiKey(key: string): string {
  return `sha256:${sha256(key).toString("hex")}`;
}

/** What {@link ApiKeyStore.match} found. */
export type ApiKeyMatch = { readonly found: true; readonly grant: ApiKeyGrant } | { readonly found: false };

/** Keys by digest. Never holds a plain key. */
export class ApiKeyStore {
  readonly #byDigest = new Map<string, { digest: Buffer; grant: ApiKeyGrant }>();
  // Compared against when nothing matched, so a miss does the same work as a hit.
  readonly #decoy = sha256(randomBytes(32));

  /** Adds a key given in plain text or as `sha256:<hex>`; the plain text is hashed and dropped. */
  add(keyOrDigest: string, grant: Omit<ApiKeyGrant, "keyId"> & { id?: string | undefined }): void {
    const hex = DIGEST_PATTERN.test(keyOrDigest)
      ? keyOrDigest.slice("sha256:".length)
      : sha256(keyOrDigest).toString("hex");
    const { id, ...rest } = grant;
    this.#byDigest.set(hex, {
      digest: Buffer.from(hex, "hex"),
      grant: { ...rest, keyId: id ?? `sha256:${hex.slice(0, 8)}` },
    });
  }

  get size(): number {
    return this.#byDigest.size;
  }

  /** Looks a presented key up by digest and confirms the digest in constant time. */
  match(presented: string): ApiKeyMatch {
    const digest = sha256(presented);
    const entry = this.#byDigest.get(digest.toString("hex"));
    const equal = timingSafeEqual(entry?.digest ?? this.#decoy, digest);
    return equal && entry !== undefined ? { found: true, grant: entry.grant } : { found: false };
  }
}

function sha256(value: string | Buffer): Buffer {
  return createHash("sha256").update(value).digest();
}
