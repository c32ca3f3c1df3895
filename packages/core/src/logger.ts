/**
 * Structured JSON logs. The default logger is pino writing one JSON object a
 * line with `timestamp`, `level`, `message` and the fields FlowMesh adds
 * (`workflow_id`, `task_name`, `duration_ms`). Any pino-compatible logger can
 * be injected instead (a Fastify app's `app.log`, for instance).
 */
import { pino } from "pino";

type LogFn = {
  (message: string): void;
  (fields: object, message?: string): void;
};

/** The subset of pino's API FlowMesh uses; pino and Fastify loggers satisfy it. */
export interface Logger {
  level: string;
  child(bindings: Record<string, unknown>): Logger;
  isLevelEnabled?(level: string): boolean;
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
  trace: LogFn;
}

export interface LoggerOptions {
  /** @default process.env.FLOWMESH_LOG_LEVEL ?? "info" */
  level?: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** Where lines go. @default stdout */
  destination?: NodeJS.WritableStream;
}

/** Creates FlowMesh's default pino logger with the documented field names. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? (process.env.FLOWMESH_LOG_LEVEL as LoggerOptions["level"]) ?? "info";
  const config = {
    level,
    messageKey: "message",
    base: undefined,
    timestamp: () => `,"timestamp":"${new Date().toISOString()}"`,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

/** True when `level` would be written: lets hot paths skip building log fields. */
export function isLevelEnabled(logger: Logger, level: string): boolean {
  return logger.isLevelEnabled ? logger.isLevelEnabled(level) : logger.level !== "silent";
}
