/**
 * Starts the orders service with FlowMesh embedded. `PORT` picks the port
 * (default 3000, loopback only). With `DEMO=1` it places one order against
 * itself, follows the run through the mounted FlowMesh API and exits.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createFlowMesh, createLogger, type LogLevel, type RunRecord } from "@flowmesh/core";
import { fulfilment } from "./fulfilment.js";
import { createService } from "./service.js";

const engine = createFlowMesh({
  logger: createLogger({ level: (process.env.LOG_LEVEL as LogLevel | undefined) ?? "warn" }),
});
await engine.register(fulfilment);
const server = createServer(createService(engine));
await new Promise<void>((resolve) => server.listen(Number(process.env.PORT ?? 3000), "127.0.0.1", resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
console.log(`orders service on ${base} (FlowMesh API on ${base}/flowmesh, docs on ${base}/flowmesh/docs)`);

async function shutdown(): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await engine.close();
}

if (process.env.DEMO === "1") {
  const placed = (await (
    await fetch(`${base}/orders`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sku: "book-42", quantity: 2 }),
    })
  ).json()) as { id: string; runId: string };
  console.log(`placed ${placed.id}, run ${placed.runId}`);
  // Follow the run through the mounted API's event stream until it ends.
  const events = await (await fetch(`${base}/flowmesh/runs/${placed.runId}/events`)).text();
  for (const line of events.split("\n")) if (line.startsWith("event: ")) console.log(line.slice(7));
  const run = (await (await fetch(`${base}/flowmesh/runs/${placed.runId}`)).json()) as RunRecord;
  console.log(`run ${run.status}: ${JSON.stringify(run.tasks.ship?.output)}`);
  await shutdown();
} else {
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void shutdown());
}
