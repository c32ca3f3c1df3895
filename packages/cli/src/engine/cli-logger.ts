/**
 * The CLI's logger: core's pino logger, writing JSON lines to stderr so that
 * stdout holds only results (the live view, NDJSON events, outputs, SQL).
 */
import { createLogger, type Logger, type LogLevel } from "@flowmesh/core";
import { LOG_LEVELS } from "../global-options.js";
import { usageError } from "../exit-codes.js";

/** Where the level comes from, first set wins. */
export interface LogLevelSources {
  /** `--log-level`. */
  flag?: LogLevel | undefined;
  /** The config file's `log.level`. */
  config?: LogLevel | undefined;
  /** `FLOWMESH_LOG_LEVEL`. */
  env?: string | undefined;
  /** The command's own default (quiet for `run`, whose live view already tells what happens). */
  fallback: LogLevel;
}

/** Picks the level: `--log-level`, then the config, then `FLOWMESH_LOG_LEVEL`, then the command's default. */
export function pickLogLevel(sources: LogLevelSources): LogLevel {
  if (sources.flag !== undefined) return sources.flag;
  if (sources.config !== undefined) return sources.config;
  const env = sources.env;
  if (env !== undefined && env !== "") {
    if (!(LOG_LEVELS as readonly string[]).includes(env)) {
      throw usageError(
        `FLOWMESH_LOG_LEVEL: expected one of ${LOG_LEVELS.join(", ")}, received ${JSON.stringify(env)}`,
      );
    }
    return env as LogLevel;
  }
  return sources.fallback;
}

/** A logger writing to `destination` (stderr by default). */
export function createCliLogger(
  level: LogLevel,
  destination: NodeJS.WritableStream = process.stderr,
): Logger {
  return createLogger({ level, destination });
}
