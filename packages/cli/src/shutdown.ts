/**
 * Graceful shutdown for long-running commands (serve, worker): the first
 * SIGTERM or SIGINT resolves `requested` (the command drains and exits 0),
 * a second one exits 1 at once.
 */
import type { Logger } from "@flowmesh/core";
import { EXIT } from "./exit-codes.js";
import { onInterrupt, type StopSignal } from "./signals.js";

/** A pending stop request. */
export interface StopRequest {
  /** Resolves with the signal that asked to stop. */
  requested: Promise<StopSignal>;
  /** Removes the signal handlers. */
  dispose(): void;
}

/**
 * Listens for SIGTERM and SIGINT, and keeps the process alive until then (a
 * worker on the memory backend has no open handle of its own: Node would
 * otherwise exit as soon as its queue is empty).
 */
export function waitForStop(logger: () => Logger | undefined): StopRequest {
  const keepAlive = setInterval(() => undefined, 1 << 30);
  let resolve!: (signal: StopSignal) => void;
  const requested = new Promise<StopSignal>((r) => (resolve = r));
  const dispose = onInterrupt(
    ["SIGTERM", "SIGINT"],
    (signal) => {
      log(
        logger(),
        "info",
        { signal },
        `received ${signal}: shutting down gracefully (send it again to exit at once)`,
      );
      resolve(signal);
    },
    (signal) => {
      log(logger(), "warn", { signal }, `received ${signal} again: exiting without draining`);
      process.exit(EXIT.failed);
    },
  );
  return {
    requested,
    dispose() {
      clearInterval(keepAlive);
      dispose();
    },
  };
}

/** Logs through the command's logger, or plainly to stderr while the config is still loading. */
function log(logger: Logger | undefined, level: "info" | "warn", fields: object, message: string): void {
  if (logger === undefined) process.stderr.write(`${message}\n`);
  else logger[level](fields, message);
}
