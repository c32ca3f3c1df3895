/**
 * `flowmesh worker`: claims and runs tasks of the config's workflows, with no
 * HTTP. Run as many as needed against Redis or Postgres. SIGTERM or SIGINT
 * stops claiming and drains running attempts (`engine.close()`), then exits
 * 0; a second signal exits 1 at once.
 */
import { Command, InvalidArgumentError } from "commander";
import type { CliContext } from "../context.js";
import type { Logger } from "@flowmesh/core";
import { loadEngine, type CliEngine } from "../engine/load-engine.js";
import { EXIT } from "../exit-codes.js";
import { addGlobalOptions, globalOptions } from "../global-options.js";
import { waitForStop, type StopRequest } from "../shutdown.js";

export function workerCommand(ctx: CliContext): Command {
  return addGlobalOptions(new Command("worker"))
    .description("run a worker only (no HTTP) for the config's workflows, to scale out on Redis or Postgres")
    .option("--concurrency <n>", "task attempts run at once (default: the config's, else 100)", positiveInt)
    .action(async (options: { concurrency?: number }, command: Command) => {
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
            worker: true,
            ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
          },
        });
        logger = loaded.logger;
        await runWorker(loaded, stop);
        logger.info("worker stopped");
        ctx.exitCode = EXIT.ok;
      } finally {
        stop.dispose();
      }
    });
}

async function runWorker({ engine, logger, workflows }: CliEngine, stop: StopRequest): Promise<void> {
  try {
    await engine.ready();
    const health = await engine.health();
    if (workflows.length === 0) {
      logger.warn("the config lists no workflows: this worker has nothing it can run (add workflows: [...])");
    }
    if (health.backend === "memory") {
      logger.warn(
        "the memory backend is not shared between processes: this worker only sees runs started in it; configure Redis or Postgres to scale out",
      );
    }
    logger.info(
      { backend: health.backend, workflows: workflows.map((w) => w.plan.name) },
      "worker started; SIGTERM or Ctrl-C stops it after running tasks finish",
    );
    await stop.requested;
    logger.info("stopping: draining running tasks");
  } finally {
    await engine.close();
  }
}

/** Commander parser for a positive integer flag. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`expected a positive integer, received "${value}"`);
  return n;
}
