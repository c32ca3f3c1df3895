import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { createFlowMesh, createLogger, type FlowMesh, type RunRecord } from "@flowmesh/core";
import { afterEach, describe, expect, it } from "vitest";
import { runEntryPoint } from "../../test-kit/run-entry-point.js";
import { fulfilment } from "../src/fulfilment.js";
import { createService } from "../src/service.js";

const entryPoint = fileURLToPath(new URL("../dist/main.js", import.meta.url));
let engine: FlowMesh | undefined;
let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  await engine?.close();
});

async function start(): Promise<string> {
  engine = createFlowMesh({ logger: createLogger({ level: "silent" }) });
  await engine.register(fulfilment);
  server = createServer(createService(engine));
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("the embed-express example", () => {
  it("keeps the service's own routes and starts a run from POST /orders, visible in the mounted API", async () => {
    const base = await start();
    const placed = await fetch(`${base}/orders`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sku: "book-42", quantity: 2 }),
    });
    expect(placed.status).toBe(201);
    const order = (await placed.json()) as { id: string; runId: string; monitor: string };
    expect(order.monitor).toBe(`/flowmesh/runs/${order.runId}`);
    const run = await engine!.waitForRun(order.runId);
    expect(run.status).toBe("succeeded");

    const viaApi = (await (await fetch(`${base}${order.monitor}`)).json()) as RunRecord;
    expect(viaApi).toMatchObject({
      workflow: "fulfil-order",
      startedBy: "orders-service",
      status: "succeeded",
    });
    expect(viaApi.tasks.ship!.output).toEqual({ tracking: `TRACK-${order.id}` });
    expect(await (await fetch(`${base}/orders/${order.id}`)).json()).toMatchObject({ status: "succeeded" });

    // A run started through the mounted API, with a JSON body express.json() already parsed.
    const direct = await fetch(`${base}/flowmesh/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ workflow: "fulfil-order", input: { id: "api-1", sku: "pen", quantity: 1 } }),
    });
    expect(direct.status).toBe(201);
    expect(direct.headers.get("location")).toMatch(/^\/flowmesh\/runs\//);
    const listed = (await (await fetch(`${base}/flowmesh/runs`)).json()) as { runs: RunRecord[] };
    expect(listed.runs).toHaveLength(2);
  });

  it("runs as `pnpm start` with DEMO=1: places an order and follows it to the end", async () => {
    const { code, stdout } = await runEntryPoint(entryPoint, {
      env: { DEMO: "1", PORT: "0", LOG_LEVEL: "silent" },
    });
    expect(code).toBe(0);
    expect(stdout).toContain("run:succeeded");
    expect(stdout).toMatch(/run succeeded: \{"tracking":"TRACK-ord-1"\}/);
  });
});
