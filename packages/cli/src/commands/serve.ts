/**
 * `flowmesh serve`: the HTTP API (`@flowmesh/server`) and an in-process
 * worker, from the config (memory backend when there is none). SIGTERM or
 * SIGINT stops accepting requests, drains the engine (`engine.close()`) and
 * exits 0; a second signal exits 1 at once.
 */
import { Command, InvalidArgumentError } from "commander";
import { startServer, type FlowMeshAppOptions } from "@flowmesh/server";
import type { CliContext } from "../context.js";
import type { Logger } from "@flowmesh/core";
import { loadEngine, type CliEngine } from "../engine/load-engine.js";
import { EXIT, usageError } from "../exit-codes.js";
import { addGlobalOptions, globalOptions } from "../global-options.js";
import { waitForStop, type StopRequest } from "../shutdown.js";
import { positiveInt } from "./worker.js";

/** Options of `flowmesh serve`. */
export interface ServeOptions {
  port?: number;
  host?: string;
  concurrency?: number;
  worker?: boolean;
}

const DEFAULT_PORT = 3000;
const DEFAULT_HOST = "127.0.0.1";

export function serveCommand(ctx: CliContext): Command {
  return addGlobalOptions(new Command("serve"))
    .description("start the HTTP API with an in-process worker (memory backend unless the config sets one)")
    .option(
      "-p, --port <port>",
      `port to listen on, 0 for any free one (default: config server.port, else ${DEFAULT_PORT})`,
      port,
    )
    .option(
      "--host <host>",
      `interface to listen on (default: config server.host, else ${DEFAULT_HOST}); 0.0.0.0 for all`,
    )
    .option("--concurrency <n>", "task attempts the in-process worker runs at once", positiveInt)
    .option("--no-worker", "serve the API only; separate `flowmesh worker` processes run the tasks")
    .action(async (options: ServeOptions, command: Command) => {
      let logger: Logger | undefined;
      // Signals are handled from the start: a SIGTERM while the config loads still stops cleanly.
      const stop = waitForStop(() => logger);
      try {
        const loaded = await loadEngine({
          cwd: ctx.cwd,
          global: globalOptions(command),
          defaultLogLevel: "info",
          registerConfigWorkflows: true,
          overrides: {
            worker: options.worker !== false,
            ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
          },
        });
        logger = loaded.logger;
        await serve(ctx, loaded, options, stop);
        logger.info("server stopped");
        ctx.exitCode = EXIT.ok;
      } finally {
        stop.dispose();
      }
    });
}

async function serve(
  ctx: CliContext,
  loaded: CliEngine,
  options: ServeOptions,
  stop: StopRequest,
): Promise<void> {
  const { engine, logger, config, configFile, workflows } = loaded;
  try {
    const { port: configPort, host: configHost, ...appOptions } = config?.server ?? {};
    const where = `${configFile ?? "config"} server`;
    const listenPort = options.port ?? checkPort(configPort, `${where}.port`) ?? DEFAULT_PORT;
    const host = options.host ?? checkHost(configHost, `${where}.host`) ?? DEFAULT_HOST;
    await engine.ready();
    const server = await startServer(engine, {
      ...(appOptions as FlowMeshAppOptions),
      port: listenPort,
      host,
    });
    const health = await engine.health();
    logger.info(
      { url: server.url, backend: health.backend, workflows: workflows.map((w) => w.plan.name) },
      "API server listening",
    );
    ctx.stdout.write(`FlowMesh API listening on ${server.url} (docs: ${server.url}/docs)\n`);
    const signal = await stop.requested;
    logger.info({ signal }, "stopping: closing the server, then draining running tasks");
    await server.close();
  } finally {
    await engine.close();
  }
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535 || value.trim() === "") {
    throw new InvalidArgumentError(`expected a port from 0 to 65535, received "${value}"`);
  }
  return n;
}

function checkPort(value: unknown, where: string): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 65_535) {
    throw usageError(`${where}: expected a port from 0 to 65535, received ${JSON.stringify(value)}`);
  }
  return n;
}

function checkHost(value: unknown, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "") {
    throw usageError(`${where}: expected a host name or address, received ${JSON.stringify(value)}`);
  }
  return value;
}
