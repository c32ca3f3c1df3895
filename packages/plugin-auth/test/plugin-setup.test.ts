/** Setup-time checks and configured public routes, through real HTTP where a request is involved. */
import { generateKeyPairSync } from "node:crypto";
import { createFlowMesh, createLogger, definePlugin, type FlowMeshPlugin } from "@flowmesh/core";
import { describe, expect, it } from "vitest";
import { auth, hashApiKey } from "../src/index.js";
import { bodyOf, captureLogger, UNAUTHENTICATED, useServers } from "./support.js";

const serve = useServers();

async function startError(plugins: FlowMeshPlugin[]): Promise<string> {
  const engine = createFlowMesh({ logger: createLogger({ level: "silent" }), plugins });
  const error = await engine.ready().then(
    () => undefined,
    (caught: unknown) => caught as Error,
  );
  await engine.close().catch(() => undefined);
  return error?.message ?? "(started)";
}

describe("auth plugin setup", () => {
  it("refuses an API key with an unknown role, naming the key by position or digest only", async () => {
    expect(
      await startError([auth({ apiKeys: { "secret-plain-key": { user: "a", roles: ["admn"] } } })]),
    ).toBe(
      '[flowmesh] plugin "auth": option "apiKeys[0].roles": unknown role "admn"; built-in roles are viewer, runner, editor, admin, or define it under "roles"',
    );
    const digest = hashApiKey("another-secret-key");
    expect(await startError([auth({ apiKeys: { [digest]: { user: "a", roles: ["ops"] } } })])).toContain(
      `option "apiKeys["${digest}"].roles": unknown role "ops"`,
    );
  });

  it('refuses store: "redis" without Redis, and a private key given as publicKey', async () => {
    expect(await startError([auth({ rateLimit: { store: "redis" } })])).toContain(
      'option "rateLimit.store" is "redis", but there is no Redis',
    );
    const { privateKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    expect(await startError([auth({ jwt: { publicKey: privateKey } })])).toContain("private key");
  });

  it("warns about plain-text keys without printing them", async () => {
    const log = captureLogger();
    const served = await serve(
      [auth({ apiKeys: { "plain-key-visible": { user: "a", roles: ["viewer"] } } })],
      log.logger,
    );
    await (await served.call("GET", "/healthz")).text();
    expect(log.text()).toContain('"event":"auth.plain_api_keys","count":1');
    expect(log.text()).not.toContain("plain-key-visible");
  });

  it("opens only the configured public routes; the docs stay closed by default", async () => {
    const closed = await serve([auth({ apiKeys: { "k-0123456789": { user: "a", roles: ["viewer"] } } })]);
    for (const path of ["/openapi.json", "/docs", "/readyz"]) {
      const response = await closed.call("GET", path);
      expect({ path, status: response.status, body: await bodyOf(response) }).toEqual({
        path,
        status: 401,
        body: UNAUTHENTICATED,
      });
    }
    expect((await closed.call("GET", "/healthz")).status).toBe(200);

    const open = await serve([auth({ publicRoutes: ["/healthz", "GET /openapi.json"] })]);
    expect((await open.call("GET", "/openapi.json")).status).toBe(200);
    expect((await open.call("GET", "/docs")).status).toBe(401);
  });

  it("denies a principal another auth plugin let through without roles", async () => {
    const trustingPlugin = definePlugin({
      name: "test-trusting",
      enforce: "pre",
      async setup(ctx) {
        const { ensureHttpHooks } = await import("@flowmesh/server");
        ensureHttpHooks(ctx);
        ctx.hooks.authenticate.tap((request) =>
          request.headers.get("x-test-user") === null
            ? undefined
            : { id: "ext", roles: ["viewer"], namespaces: ["acme"], method: "test" },
        );
      },
    });
    const served = await serve([trustingPlugin(), auth()]);
    const allowed = await served.call("GET", "/workflows/wf-acme", { headers: { "x-test-user": "1" } });
    expect(allowed.status).toBe(200);
    const denied = await served.call("POST", "/runs", {
      headers: { "x-test-user": "1" },
      json: { workflow: "wf-acme" },
    });
    expect(denied.status).toBe(403);
  });
});
