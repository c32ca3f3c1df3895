/** Test helpers: engines with the auth plugin, served on 127.0.0.1, and a logger whose lines are kept. */
import { Writable } from "node:stream";
import {
  createFlowMesh,
  createLogger,
  handlers,
  type FlowMesh,
  type FlowMeshPlugin,
  type Logger,
} from "@flowmesh/core";
import { startServer, type RunningServer } from "@flowmesh/server";
import { afterAll } from "vitest";

/** A logger at debug level whose JSON lines are kept in `lines`. */
export function captureLogger(): { logger: Logger; lines: string[]; text(): string } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(
        ...chunk
          .toString()
          .split("\n")
          .filter((line) => line.length > 0),
      );
      done();
    },
  });
  return { logger: createLogger({ level: "debug", destination }), lines, text: () => lines.join("\n") };
}

export interface Served {
  engine: FlowMesh;
  server: RunningServer;
  url: string;
  /** `fetch` with optional credentials and a JSON body. */
  call(
    method: string,
    path: string,
    options?: { headers?: Record<string, string>; json?: unknown },
  ): Promise<Response>;
}

/** The workflow definitions every served engine has: one per namespace, one task `step`. */
export const WORKFLOWS = { acme: "wf-acme", globex: "wf-globex" } as const;

/** Starts an engine with `plugins` (after a `handlers` plugin for task `step`) and serves it; closed after the file. */
export function useServers(): (plugins: FlowMeshPlugin[], logger?: Logger) => Promise<Served> {
  const open: Served[] = [];
  afterAll(async () => {
    for (const served of open.splice(0)) {
      await served.server.close();
      await served.engine.close();
    }
  });
  return async (plugins, logger = createLogger({ level: "silent" })) => {
    const engine = createFlowMesh({
      logger,
      drainTimeout: "2s",
      plugins: [handlers({ step: () => "done", boom: () => Promise.reject(new Error("boom")) }), ...plugins],
    });
    for (const [namespace, name] of Object.entries(WORKFLOWS)) {
      await engine.register({ name, namespace, tasks: [{ name: "step" }] });
    }
    const server = await startServer(engine, { port: 0, host: "127.0.0.1" });
    const served: Served = {
      engine,
      server,
      url: server.url,
      call: (method, path, options = {}) => {
        const headers = new Headers(options.headers);
        if (options.json !== undefined) headers.set("content-type", "application/json");
        return fetch(`${server.url}${path}`, {
          method,
          headers,
          ...(options.json === undefined ? {} : { body: JSON.stringify(options.json) }),
        });
      },
    };
    open.push(served);
    return served;
  };
}

/** The body of a response, as JSON (or the text when it is not JSON). */
export async function bodyOf(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The 401 body every authentication failure answers with. */
/** The one 403 body: the same for every route, role and reason. */
export const FORBIDDEN = { error: { code: "FM_ERR_FORBIDDEN", message: "not allowed", details: {} } };

export const UNAUTHENTICATED = {
  error: { code: "FM_ERR_UNAUTHENTICATED", message: "authentication required", details: {} },
};
