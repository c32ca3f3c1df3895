/** JWT through real HTTP: every malformed, expired, forged or oversized token is the same 401. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createFlowMesh, createLogger } from "@flowmesh/core";
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auth, createTokenSigner } from "../src/index.js";
import { bodyOf, captureLogger, UNAUTHENTICATED, useServers, type Served } from "./support.js";

const SECRET = "an-hs256-secret-of-more-than-32-bytes-for-tests";
const ISSUER = "https://issuer.test";
const AUDIENCE = "flowmesh";
const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

const serve = useServers();
const hsLog = captureLogger();
const hsAuth = auth({ jwt: { secret: SECRET, issuer: ISSUER, audience: AUDIENCE }, rateLimit: false });
let hs: Served;
let rs: Served;
let jwks: Served;
let jwksServer: Server;
let rsa: { publicKey: CryptoKey; privateKey: CryptoKey };
let ec: { publicKey: CryptoKey; privateKey: CryptoKey };
let rsaPem: string;

beforeAll(async () => {
  rsa = await generateKeyPair("RS256", { extractable: true });
  ec = await generateKeyPair("ES256", { extractable: true });
  rsaPem = await exportSPKI(rsa.publicKey);
  const jwk = { ...(await exportJWK(ec.publicKey)), kid: "k1", alg: "ES256", use: "sig" };
  jwksServer = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, "127.0.0.1", resolve));
  const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
  hs = await serve([hsAuth], hsLog.logger);
  rs = await serve([auth({ jwt: { publicKey: rsaPem }, rateLimit: false })]);
  jwks = await serve([auth({ jwt: { jwksUrl }, rateLimit: false })]);
});

afterAll(async () => {
  await new Promise<void>((resolve) => jwksServer.close(() => resolve()));
});

const get = (served: Served, token: string) =>
  served.call("GET", "/workflows", { headers: { authorization: `Bearer ${token}` } });

function hsToken(claims: Record<string, unknown>, options: { exp?: number | false; key?: Uint8Array } = {}) {
  const exp = options.exp === false ? {} : { exp: options.exp ?? now() + 600 };
  return new SignJWT({
    sub: "alice",
    iss: ISSUER,
    aud: AUDIENCE,
    iat: now(),
    roles: ["viewer"],
    ...exp,
    ...claims,
  })
    .setProtectedHeader({ alg: "HS256" })
    .sign(options.key ?? new TextEncoder().encode(SECRET));
}

describe("JWT over HTTP", () => {
  it("accepts tokens from generateToken, with roles and namespaces from the claims", async () => {
    const token = await hsAuth.generateToken("alice", ["viewer"], {
      expiresIn: "5m",
      namespaces: ["globex"],
    });
    const response = await get(hs, token);
    expect(response.status).toBe(200);
    const { workflows } = (await response.json()) as { workflows: { namespace: string }[] };
    expect(workflows.map((w) => w.namespace)).toEqual(["globex"]);
    // A signer built from the same options makes tokens the server accepts too.
    const signer = createTokenSigner({ secret: SECRET, issuer: ISSUER, audience: AUDIENCE });
    expect((await get(hs, await signer.generateToken("bob", ["viewer"]))).status).toBe(200);
  });

  it("refuses every bad HS256 token with the identical 401 body", async () => {
    const valid = await hsToken({});
    const [header, payload, signature] = valid.split(".") as [string, string, string];
    const forgedPayload = b64({
      ...(JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>),
      roles: ["admin"],
    });
    const bad: Record<string, string> = {
      "alg none": `${b64({ alg: "none", typ: "JWT" })}.${b64({ sub: "alice", roles: ["admin"], exp: now() + 600, iss: ISSUER, aud: AUDIENCE })}.`,
      expired: await hsToken({}, { exp: now() - 3600 }),
      "future nbf": await hsToken({ nbf: now() + 3600 }),
      "missing exp": await hsToken({}, { exp: false }),
      "wrong iss": await hsToken({ iss: "https://evil.test" }),
      "wrong aud": await hsToken({ aud: "someone-else" }),
      "tampered payload": `${header}.${forgedPayload}.${signature}`,
      "other secret": await hsToken({}, { key: new TextEncoder().encode("x".repeat(48)) }),
      oversized: await hsToken({ padding: "p".repeat(9000) }),
      "roles claim not a list": await hsToken({ roles: { admin: true } }),
    };
    expect((await get(hs, valid)).status).toBe(200);
    for (const [name, token] of Object.entries(bad)) {
      const response = await get(hs, token);
      expect({ name, status: response.status, body: await bodyOf(response) }).toEqual({
        name,
        status: 401,
        body: UNAUTHENTICATED,
      });
    }
    // The reasons are in the log, the tokens are not.
    const failures = hsLog.lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((l) => l.event === "auth.failed");
    expect(failures.map((l) => l.reason)).toEqual([
      "jwt-algorithm-not-allowed",
      "jwt-expired",
      "jwt-claim-nbf-check_failed",
      "jwt-claim-exp-missing",
      "jwt-claim-iss-check_failed",
      "jwt-claim-aud-check_failed",
      "jwt-signature-invalid",
      "jwt-signature-invalid",
      "jwt-oversized",
      "jwt-roles-claim-invalid",
    ]);
    for (const token of [valid, ...Object.values(bad)])
      expect(hsLog.text()).not.toContain(token.split(".")[2] || token);
  });

  it("pins RS256 for an RSA key: HS256 signed with the public key and alg none are refused", async () => {
    const valid = await new SignJWT({ roles: ["viewer"] })
      .setProtectedHeader({ alg: "RS256" })
      .setSubject("carol")
      .setExpirationTime("5m")
      .sign(rsa.privateKey);
    expect((await get(rs, valid)).status).toBe(200);
    const confused = await new SignJWT({ roles: ["admin"] })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("mallory")
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode(rsaPem));
    const none = `${b64({ alg: "none" })}.${b64({ sub: "mallory", roles: ["admin"], exp: now() + 600 })}.`;
    for (const token of [confused, none]) {
      const response = await get(rs, token);
      expect({ status: response.status, body: await bodyOf(response) }).toEqual({
        status: 401,
        body: UNAUTHENTICATED,
      });
    }
  });

  it("verifies against a JWKS and refuses an unknown kid", async () => {
    const valid = await new SignJWT({ roles: ["viewer"] })
      .setProtectedHeader({ alg: "ES256", kid: "k1" })
      .setSubject("dave")
      .setExpirationTime("5m")
      .sign(ec.privateKey);
    expect((await get(jwks, valid)).status).toBe(200);
    const other = await generateKeyPair("ES256");
    const unknownKid = await new SignJWT({ roles: ["admin"] })
      .setProtectedHeader({ alg: "ES256", kid: "k2" })
      .setSubject("mallory")
      .setExpirationTime("5m")
      .sign(other.privateKey);
    const wrongKeySameKid = await new SignJWT({ roles: ["admin"] })
      .setProtectedHeader({ alg: "ES256", kid: "k1" })
      .setSubject("mallory")
      .setExpirationTime("5m")
      .sign(other.privateKey);
    for (const token of [unknownKid, wrongKeySameKid]) {
      const response = await get(jwks, token);
      expect({ status: response.status, body: await bodyOf(response) }).toEqual({
        status: 401,
        body: UNAUTHENTICATED,
      });
    }
  });

  it("refuses a secret under 32 bytes when the engine starts", async () => {
    const engine = createFlowMesh({
      logger: createLogger({ level: "silent" }),
      plugins: [auth({ jwt: { secret: "short-secret" } })],
    });
    const error = await engine.ready().then(
      () => undefined,
      (caught: unknown) => caught as { code: string; message: string },
    );
    expect(error?.code).toBe("FM_ERR_INVALID_OPTIONS");
    expect(error?.message).toContain(
      'option "jwt.secret": an HS256 secret needs at least 32 bytes (256 bits), received 12 bytes',
    );
    await engine.close().catch(() => undefined);
  });

  it("signs only for HS256 setups", async () => {
    await expect(auth({ jwt: { publicKey: rsaPem } }).generateToken("a", [])).rejects.toMatchObject({
      code: "FM_ERR_INVALID_OPTIONS",
    });
    expect(() => createTokenSigner({ secret: "short" })).toThrow(/at least 32 bytes/);
  });
});
