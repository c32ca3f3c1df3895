/**
 * The standalone scrape endpoint for processes without the HTTP API (a
 * `flowmesh worker`): a bare node:http server answering GET on one path,
 * bound to 127.0.0.1 unless told otherwise. It has no authentication: expose
 * it beyond the host only on a network you control.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { FlowMeshError, type Logger } from "@flowmesh/core";
import type { Exposition } from "./exposition.js";

export interface ListenOptions {
  port: number;
  host: string;
  path: string;
}

/** A running listener. */
export interface MetricsListener {
  /** Where it listens (the real port when `port` was 0). */
  readonly address: { host: string; port: number };
  close(): Promise<void>;
}

export async function startListener(
  options: ListenOptions,
  scrape: (accept: string | null) => Promise<Exposition>,
  logger: Logger,
): Promise<MetricsListener> {
  const server = createServer((request, response) => {
    void answer(request, response, options.path, scrape, logger);
  });
  // Scrapers keep connections alive; close() must not wait for them.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    const failed = (error: Error): void =>
      reject(
        new FlowMeshError(
          "FM_ERR_PLUGIN",
          `[flowmesh] [plugin-prometheus] option "listen": cannot listen on ${options.host}:${options.port}: ${error.message}`,
          { cause: error, details: { plugin: "prometheus", host: options.host, port: options.port } },
        ),
      );
    server.once("error", failed);
    server.listen(options.port, options.host, () => {
      server.off("error", failed);
      resolve();
    });
  });
  server.on("error", (error) => logger.error({ err: error }, "metrics listener failed"));
  const { address, port } = server.address() as AddressInfo;
  logger.info({ host: address, port, path: options.path }, "metrics listener ready");
  return {
    address: { host: address, port },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      }),
  };
}

async function answer(
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  scrape: (accept: string | null) => Promise<Exposition>,
  logger: Logger,
): Promise<void> {
  const url = new URL(request.url ?? "/", "http://localhost");
  if (url.pathname !== path)
    return send(response, 404, `not found: ${url.pathname} (metrics are at ${path})\n`);
  if (request.method !== "GET" && request.method !== "HEAD") {
    response.setHeader("allow", "GET, HEAD");
    return send(response, 405, `method ${request.method ?? "?"} not allowed on ${path}\n`);
  }
  try {
    const { body, contentType } = await scrape(request.headers.accept ?? null);
    response.writeHead(200, { "content-type": contentType, "content-length": Buffer.byteLength(body) });
    response.end(request.method === "HEAD" ? undefined : body);
  } catch (error) {
    logger.error({ err: error }, "metrics scrape failed");
    send(response, 500, "metrics scrape failed\n");
  }
}

function send(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
  response.end(text);
}
