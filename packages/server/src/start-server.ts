/** `startServer(engine, { port, host })`: the API on a Node HTTP server, as `flowmesh serve` runs it. */
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import type { FlowMesh } from "@flowmesh/core";
import { serve } from "@hono/node-server";
import { createFlowMeshApp } from "./app.js";
import type { FlowMeshAppOptions } from "./options.js";

/** Options of {@link startServer}: where to listen, plus every app option. */
export type StartServerOptions = FlowMeshAppOptions & {
  /** Port to listen on; 0 picks a free one (see the returned `port`). */
  port: number;
  /** @default "127.0.0.1" (loopback only; pass "0.0.0.0" to listen on every interface) */
  host?: string;
};

/** A running API server. */
export interface RunningServer {
  /** `http://host:port`, with the actual port. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting connections, ends open ones (SSE streams included) and resolves once closed. Does not close the engine. */
  close(): Promise<void>;
}

/** Serves `createFlowMeshApp(engine, options)` over HTTP. Resolves once listening. */
export async function startServer(engine: FlowMesh, options: StartServerOptions): Promise<RunningServer> {
  const { port, host = "127.0.0.1", ...appOptions } = options;
  const app = createFlowMeshApp(engine, appOptions);
  const server = await new Promise<Server>((resolve, reject) => {
    const created = serve({ fetch: app.fetch, port, hostname: host }, () => resolve(created)) as Server;
    created.once("error", reject);
  });
  const actualPort = (server.address() as AddressInfo).port;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${actualPort}`,
    port: actualPort,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeIdleConnections();
        // Long-lived SSE streams would hold `close()` forever.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
