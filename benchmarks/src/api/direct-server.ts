/**
 * The fallback server of the API benchmark: an engine on the memory backend
 * with the one-task workflow, served by `startServer` from
 * `@flowmesh/server`. Prints "listening on <url>" like `flowmesh serve`,
 * and drains on SIGTERM.
 *
 *   node dist/api/direct-server.js <workflow-name>
 */
import { createFlowMesh, createLogger } from "@flowmesh/core";
import { startServer } from "@flowmesh/server";

const name = process.argv[2] ?? "ping";
const engine = createFlowMesh({ logger: createLogger({ level: "error" }) });
await engine.register({ name, tasks: [{ name: "only", handler: async () => 1 }] });
await engine.ready();
const server = await startServer(engine, { port: 0, host: "127.0.0.1" });
process.stdout.write(`FlowMesh API listening on ${server.url}\n`);
process.once("SIGTERM", () => {
  void server
    .close()
    .then(() => engine.close())
    .then(() => process.exit(0));
});
