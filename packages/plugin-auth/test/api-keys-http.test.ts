/** API keys through real HTTP: digests only, one comparison path for every key, nothing secret in logs or runs. */
import type * as nodeCrypto from "node:crypto";
import { timingSafeEqual } from "node:crypto";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { auth, generateApiKey } from "../src/index.js";
import { bodyOf, captureLogger, UNAUTHENTICATED, useServers, type Served } from "./support.js";

vi.mock("node:crypto", async (importOriginal) => {
  const actual = await importOriginal<typeof nodeCrypto>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const PLAIN = "plain-runner-key-0123456789abcdefghijklmnop"; // configured in plain text
const digested = generateApiKey(); // configured by digest only
const revoked = generateApiKey();
const serve = useServers();
const log = captureLogger();
let served: Served;

beforeAll(async () => {
  served = await serve(
    [
      auth({
        apiKeys: {
          [PLAIN]: { user: "alice", roles: ["runner"], namespaces: ["acme"] },
          [digested.digest]: { user: "bob", roles: ["viewer"], namespaces: ["acme", "globex"], id: "bob-ci" },
          [revoked.digest]: { user: "eve", roles: ["admin"], revoked: true },
        },
        rateLimit: false,
      }),
    ],
    log.logger,
  );
});

beforeEach(() => {
  vi.mocked(timingSafeEqual).mockClear();
});

const list = (headers: Record<string, string>) => served.call("GET", "/workflows", { headers });

describe("API keys over HTTP", () => {
  it("accepts a key from Authorization: Bearer or X-API-Key, configured plain or by digest", async () => {
    expect((await list({ authorization: `Bearer ${PLAIN}` })).status).toBe(200);
    expect((await list({ "x-api-key": PLAIN })).status).toBe(200);
    const response = await list({ authorization: `Bearer ${digested.key}` });
    expect(response.status).toBe(200);
    const { workflows } = (await response.json()) as { workflows: { namespace: string }[] };
    expect(workflows.map((w) => w.namespace).sort()).toEqual(["acme", "globex"]);
  });

  it("refuses revoked, unknown and malformed credentials with the identical 401 body", async () => {
    const attempts: Record<string, Record<string, string>> = {
      revoked: { authorization: `Bearer ${revoked.key}` },
      "the digest itself": { authorization: `Bearer ${digested.digest}` },
      unknown: { "x-api-key": "not-a-configured-key-at-all" },
      "Basic scheme": { authorization: `Basic ${Buffer.from(`alice:${PLAIN}`).toString("base64")}` },
      "both headers": { authorization: `Bearer ${PLAIN}`, "x-api-key": PLAIN },
      "empty bearer": { authorization: "Bearer " },
    };
    for (const [name, headers] of Object.entries(attempts)) {
      const response = await list(headers);
      expect({ name, status: response.status, body: await bodyOf(response) }).toEqual({
        name,
        status: 401,
        body: UNAUTHENTICATED,
      });
    }
    const revokedLine = log.lines.find((line) => line.includes("revoked-api-key"));
    expect(JSON.parse(revokedLine!)).toMatchObject({
      event: "auth.failed",
      keyId: revoked.digest.slice(0, 15),
    });
  });

  it("sends wrong keys of equal length through the same digest path as the right one", async () => {
    const nearMiss = `${PLAIN.slice(0, -1)}Q`; // shares all but the last character
    const farMiss = "X".repeat(PLAIN.length);
    for (const [key, status] of [
      [PLAIN, 200],
      [nearMiss, 401],
      [farMiss, 401],
    ] as const) {
      vi.mocked(timingSafeEqual).mockClear();
      expect((await list({ authorization: `Bearer ${key}` })).status).toBe(status);
      // Exactly one constant-time comparison of two 32-byte SHA-256 digests, hit or miss.
      const calls = vi.mocked(timingSafeEqual).mock.calls;
      expect(calls).toHaveLength(1);
      expect(calls[0]!.map((buffer) => (buffer as Buffer).length)).toEqual([32, 32]);
    }
  });

  it("records the principal as startedBy and keeps keys out of logs, runs and responses", async () => {
    const started = await served.call("POST", "/runs", {
      headers: { authorization: `Bearer ${PLAIN}` },
      json: { workflow: "wf-acme", input: { order: 1 } },
    });
    expect(started.status).toBe(201);
    const run = (await started.json()) as { id: string; startedBy: string };
    expect(run.startedBy).toBe("alice");
    const stored = await served.engine.listRuns({ limit: 500 });
    const everything = JSON.stringify(stored) + log.text();
    for (const secret of [PLAIN, digested.key, revoked.key]) expect(everything).not.toContain(secret);
    expect(log.lines.some((line) => line.includes('"event":"auth.authenticated"'))).toBe(true);
  });
});

describe("mass assignment", () => {
  const asRunner = { authorization: `Bearer ${PLAIN}` };

  it("refuses a start request that sets server-owned fields, and creates nothing", async () => {
    const before = (await served.engine.listRuns({ limit: 500 })).runs.length;
    for (const [path, body] of [
      ["/runs", { workflow: "wf-acme", status: "succeeded" }],
      ["/runs", { workflow: "wf-acme", startedBy: "mallory" }],
      ["/runs", { workflow: "wf-acme", createdBy: "mallory" }],
      ["/runs", { workflow: "wf-acme", attempt: 9 }],
      ["/workflows/wf-acme/runs", { input: {}, status: "succeeded", startedBy: "mallory", attempt: 9 }],
    ] as const) {
      const response = await served.call("POST", path, { headers: asRunner, json: body });
      expect({ path, status: response.status }).toEqual({ path, status: 422 });
      expect(await response.json()).toMatchObject({ error: { code: "FM_ERR_INVALID_REQUEST" } });
    }
    expect((await served.engine.listRuns({ limit: 500 })).runs).toHaveLength(before);
  });

  it("keeps look-alike fields inside input as plain input", async () => {
    const response = await served.call("POST", "/workflows/wf-acme/runs", {
      headers: asRunner,
      json: { input: { status: "succeeded", startedBy: "mallory", attempt: 9 } },
    });
    expect(response.status).toBe(201);
    const run = (await response.json()) as { id: string };
    const final = await served.engine.waitForRun(run.id);
    expect(final).toMatchObject({
      status: "succeeded",
      startedBy: "alice",
      input: { status: "succeeded", startedBy: "mallory", attempt: 9 },
    });
    expect(final.tasks.step!.attempts).toBe(1);
  });
});
