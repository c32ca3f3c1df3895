import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ApiKeyStore, generateApiKey, hashApiKey } from "../src/api-keys.js";

const grant = { user: "alice", roles: ["viewer"], namespaces: undefined, revoked: false };

describe("API keys", () => {
  it("generates 256-bit keys with their sha256 digest", () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.key).toMatch(/^fm_[A-Za-z0-9_-]{43}$/);
    expect(a.digest).toBe(`sha256:${createHash("sha256").update(a.key).digest("hex")}`);
    expect(a.key).not.toBe(b.key);
    expect(hashApiKey(a.key)).toBe(a.digest);
  });

  it("matches a key configured by digest or in plain text, and nothing else", () => {
    const store = new ApiKeyStore();
    const { key, digest } = generateApiKey();
    store.add(digest, grant);
    store.add("prod-key", { ...grant, user: "admin", id: "prod" });
    expect(store.match(key)).toEqual({ found: true, grant: { ...grant, keyId: digest.slice(0, 15) } });
    expect(store.match("prod-key")).toMatchObject({ found: true, grant: { user: "admin", keyId: "prod" } });
    expect(store.match("prod-kez")).toEqual({ found: false });
    expect(store.match(digest)).toEqual({ found: false });
    expect(store.match("")).toEqual({ found: false });
  });
});
