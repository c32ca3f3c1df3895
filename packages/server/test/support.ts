/** Test helpers: an engine with a few workflows, served on 127.0.0.1 on a free port. */
import { createFlowMesh, createLogger, type FlowMesh, type FlowMeshOptions } from "@flowmesh/core";
import { afterEach } from "vitest";
import { startServer, type RunningServer, type StartServerOptions } from "../src/index.js";

export interface Served {
  engine: FlowMesh;
  server: RunningServer;
  /** `fetch` against the server, with a JSON body when `json` is given. */
  call: (path: string, init?: RequestInit & { json?: unknown }) => Promise<Response>;
}

/** Starts engines and servers that are closed after each test. */
export function useServers(): (
  engineOptions?: FlowMeshOptions,
  serverOptions?: Omit<StartServerOptions, "port">,
) => Promise<Served> {
  const open: Served[] = [];
  afterEach(async () => {
    for (const served of open.splice(0)) {
      await served.server.close();
      await served.engine.close();
    }
  });
  return async (engineOptions = {}, serverOptions = {}) => {
    const engine = createFlowMesh({
      logger: createLogger({ level: "silent" }),
      drainTimeout: "2s",
      ...engineOptions,
    });
    const server = await startServer(engine, { port: 0, ...serverOptions });
    const served: Served = {
      engine,
      server,
      call: (path, init = {}) => {
        const { json, ...rest } = init;
        const headers = new Headers(rest.headers);
        if (json !== undefined && !headers.has("content-type"))
          headers.set("content-type", "application/json");
        return fetch(`${server.url}${path}`, {
          ...rest,
          headers,
          ...(json === undefined ? {} : { body: JSON.stringify(json) }),
        });
      },
    };
    open.push(served);
    return served;
  };
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Calls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(20);
  }
}
