import { fileURLToPath } from "node:url";
import { createLogger } from "@flowmesh/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runEntryPoint } from "../../test-kit/run-entry-point.js";
import { runDemo } from "../src/demo.js";
import { startSecureServer, type SecureServer } from "../src/secure-server.js";

const entryPoint = fileURLToPath(new URL("../dist/main.js", import.meta.url));
let secure: SecureServer;

beforeAll(async () => {
  secure = await startSecureServer({ logger: createLogger({ level: "silent" }) });
});
afterAll(async () => {
  await secure.close();
});

describe("the secure server example", () => {
  it("keeps tenants apart, enforces roles and answers one 401", { timeout: 15_000 }, async () => {
    const lines = await runDemo(secure);
    expect(
      lines.map((line) => [line.who, line.request.replace(/[0-9a-f-]{36}/, ":id"), line.status]),
    ).toEqual([
      ["acme-ci", "POST /workflows/acme-invoices/runs", 201],
      ["admin", "POST /runs", 201],
      ["acme-ci", "GET /runs/:id", 404],
      ["globex-dashboard", "GET /runs", 200],
      ["globex-dashboard", "POST /runs", 403],
      ["auditor-1 (JWT)", "GET /runs/:id", 200],
      ["anonymous", "GET /runs", 401],
      ["anonymous", "GET /healthz", 200],
    ]);
    expect(lines[0]!.note).toBe("run started, startedBy=acme-ci");
    expect(lines[3]!.note).toBe("sees 1 run(s), namespaces: globex");
    expect(lines[6]!.note).toBe(
      'uniform body: {"error":{"code":"FM_ERR_UNAUTHENTICATED","message":"authentication required","details":{}}}',
    );
    expect(lines[7]!.note).toMatch(/^public; RateLimit: "ip";r=\d+;t=\d+$/);
  });

  it("runs the demo from its entry point and exits 0", { timeout: 30_000 }, async () => {
    const { code, stdout, stderr } = await runEntryPoint(entryPoint, { env: { DEMO: "1" } });
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toMatch(/^acme-ci +GET \/runs\/\S+ +404 +another tenant's run does not exist for Acme$/m);
  });
});
