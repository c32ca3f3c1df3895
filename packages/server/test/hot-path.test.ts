/**
 * The hot routes stay on @hono/node-server's lightweight request: reading a
 * run or starting one must not build a full web `Request` (undici request,
 * web streams, an `AbortSignal`) per request, which cost more CPU than the
 * route itself. Every full request the adapter builds creates an
 * `AbortController`, so the test counts those while it calls the API over
 * `node:http` (which creates none itself).
 */
import { request as httpRequest } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { useServers } from "./support.js";

const serve = useServers();
const RealAbortController = globalThis.AbortController;
let created = 0;

class CountingAbortController extends RealAbortController {
  constructor() {
    super();
    created++;
  }
}

afterEach(() => {
  globalThis.AbortController = RealAbortController;
});

/** One request over node:http; `chunked` sends the body without Content-Length. */
function send(
  url: string,
  method: string,
  body?: string,
  chunked = false,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (body !== undefined) {
      headers["content-type"] = "application/json";
      if (!chunked) headers["content-length"] = String(Buffer.byteLength(body));
    }
    const req = httpRequest(url, { method, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      res.on("error", reject);
    });
    req.on("error", reject);
    if (body !== undefined && chunked) {
      // Two writes: node:http sends them with Transfer-Encoding: chunked.
      req.write(body.slice(0, 5));
      req.end(body.slice(5));
    } else req.end(body);
  });
}

describe("hot paths", () => {
  it("reads and starts runs without building a full web Request", async () => {
    const { engine, server } = await serve({ worker: false });
    await engine.register({ name: "wf", tasks: [{ name: "a", handler: () => 1 }] });
    const body = JSON.stringify({ workflow: "wf", input: { n: 1 } });
    const first = await send(`${server.url}/runs`, "POST", body);
    expect(first.status).toBe(201);
    const id = (JSON.parse(first.text) as { id: string }).id;

    globalThis.AbortController = CountingAbortController;
    created = 0;
    for (let i = 0; i < 5; i++) {
      const read = await send(`${server.url}/runs/${id}`, "GET");
      expect(read.status).toBe(200);
      expect((JSON.parse(read.text) as { id: string }).id).toBe(id);
      const started = await send(`${server.url}/runs`, "POST", body);
      expect(started.status).toBe(201);
    }
    expect(created).toBe(0);
  });

  it("still streams a chunked body (no Content-Length) through the size limit", async () => {
    const { engine, server } = await serve({ worker: false }, { bodyLimit: 1024 });
    await engine.register({ name: "wf", tasks: [{ name: "a", handler: () => 1 }] });
    const small = await send(
      `${server.url}/runs`,
      "POST",
      JSON.stringify({ workflow: "wf", input: { n: 1 } }),
      true,
    );
    expect(small.status).toBe(201);
    const big = await send(
      `${server.url}/runs`,
      "POST",
      JSON.stringify({ workflow: "wf", input: "x".repeat(2000) }),
      true,
    );
    expect(big.status).toBe(413);
    expect((JSON.parse(big.text) as { error: { code: string } }).error.code).toBe("FM_ERR_PAYLOAD_TOO_LARGE");
  });
});
