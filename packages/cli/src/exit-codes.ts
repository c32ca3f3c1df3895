/**
 * Exit codes of every command: 0 success, 1 a run (or the process) failed,
 * 2 the command line, the config or a workflow file is wrong.
 */
import { FlowMeshError } from "@flowmesh/core";

/** The process's exit codes. */
export const EXIT = {
  /** The command did what was asked; a run succeeded. */
  ok: 0,
  /** A run failed, was cancelled or timed out; or something broke at run time (a backend down). */
  failed: 1,
  /** Bad flags or arguments, an invalid config, or a workflow file with schema or DAG errors. */
  usage: 2,
} as const;

/** Exit code of the command line's process. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Codes that mean the user's input (flags, config, workflow files) is wrong. */
const USAGE_CODES = new Set<string>([
  "FM_ERR_INVALID_DEFINITION",
  "FM_ERR_CYCLE",
  "FM_ERR_UNRESOLVED_HANDLER",
  "FM_ERR_INVALID_OPTIONS",
  "FM_ERR_PLUGIN",
  "FM_ERR_UNKNOWN_WORKFLOW",
  "FM_ERR_IDEMPOTENCY_CONFLICT",
]);

/**
 * The exit code for an error a command threw: usage (2) for bad input, and
 * for any error placed in a file the user wrote (a handler that cannot be
 * imported is reported by its resolver plugin, at the task's line).
 */
export function exitCodeOf(error: unknown): ExitCode {
  if (!(error instanceof FlowMeshError)) return EXIT.failed;
  if (USAGE_CODES.has(error.code)) return EXIT.usage;
  const details = error.details ?? {};
  return typeof details.file === "string" && Array.isArray(details.issues) ? EXIT.usage : EXIT.failed;
}

/** An error for a bad flag or argument value (commander checks the flags themselves). */
export function usageError(message: string, details?: Record<string, unknown>): FlowMeshError {
  return new FlowMeshError("FM_ERR_INVALID_OPTIONS", message, details === undefined ? {} : { details });
}

/** The message to print for an error: without the `[flowmesh] ` prefix, which the CLI's own prefix replaces. */
export function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^\[flowmesh\] /, "");
}
