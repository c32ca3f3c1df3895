import { describe, expect, it } from "vitest";
import { authOptionsSchema } from "../src/options.js";

function issues(input: unknown): string[] {
  const result = authOptionsSchema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((i) => `${i.path.map(String).join(".")}: ${i.message}`);
}

describe("auth options", () => {
  it("accepts the brief's API-key setup and fills secure defaults", () => {
    const parsed = authOptionsSchema.parse({ apiKeys: { "prod-key": { user: "admin", roles: ["admin"] } } });
    expect(parsed.apiKeys).toEqual([{ key: "prod-key", user: "admin", roles: ["admin"], revoked: false }]);
    expect(parsed.publicRoutes).toEqual(["/healthz"]);
    expect(parsed.defaultNamespaces).toEqual(["default"]);
    expect(parsed.rateLimit).toEqual({
      requestsPerMinute: 600,
      roles: {},
      anonymousRequestsPerMinute: 60,
      store: "auto",
    });
  });

  it("refuses an HS256 secret under 32 bytes without echoing it", () => {
    const found = issues({ jwt: { secret: "too-short-secret-value" } });
    expect(found).toEqual([
      "jwt.secret: an HS256 secret needs at least 32 bytes (256 bits), received 22 bytes: generate one with `openssl rand -base64 48`",
    ]);
    expect(found.join()).not.toContain("too-short-secret-value");
  });

  it("names a plain key by its position, never by the key", () => {
    const found = issues({
      apiKeys: { "first-key-123": { user: "a" }, "secret-key-456": { user: 7, roles: "admin" } },
    });
    expect(found).toEqual([
      "apiKeys.1.user: Invalid input: expected string, received number",
      "apiKeys.1.roles: Invalid input: expected array, received string",
    ]);
    expect(found.join()).not.toContain("secret-key-456");
  });

  it("checks digests, JWT key sources, JWKS URLs and custom roles", () => {
    expect(issues({ apiKeys: { "sha256:abc": { user: "a" } } })).toEqual([
      'apiKeys.0: a digest must be "sha256:" followed by 64 lowercase hex digits (see generateApiKey())',
    ]);
    expect(issues({ jwt: {} })).toEqual([
      'jwt: give exactly one of "secret" (HS256), "publicKey" (RS256/ES256) or "jwksUrl", received 0',
    ]);
    expect(issues({ jwt: { jwksUrl: "http://idp.example.com/jwks" } })).toEqual([
      'jwt.jwksUrl: must be https (http only on 127.0.0.1, ::1 or localhost), received "http://idp.example.com/jwks"',
    ]);
    expect(issues({ roles: { ops: ["runs:delete"] } })).toEqual([
      'roles.ops.0: Invalid option: expected one of "workflows:read"|"workflows:write"|"runs:read"|"runs:start"|"runs:cancel"|"runs:retry"|"metrics:read"|"docs:read"|"health:read"',
    ]);
    expect(issues({ roles: { admin: ["runs:read"] } })).toEqual([
      'roles.admin: "admin" is a built-in role (viewer, runner, editor, admin) and cannot be redefined; pick another name',
    ]);
  });
});
