/**
 * `--config` and `--log-level` work before or after the command name
 * (`flowmesh --config x.yaml run ...` and `flowmesh run ... --config x.yaml`):
 * the program and every command declare them; the command's value wins.
 */
import { Option, type Command } from "commander";
import type { LogLevel } from "@flowmesh/core";

/** Levels accepted by `--log-level`. */
export const LOG_LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/** Options every command accepts. */
export interface GlobalOptions {
  /** Config file to load instead of searching from the working directory. */
  config?: string;
  /** Level of the logs written to stderr. */
  logLevel?: LogLevel;
}

/** Declares the global options on a command (the program or a subcommand). */
export function addGlobalOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        "-c, --config <file>",
        'config file (default: flowmesh.config.* or package.json "flowmesh", searched from the working directory)',
      ),
    )
    .addOption(new Option("--log-level <level>", "level of the logs written to stderr").choices(LOG_LEVELS));
}

/** The global options as given on the program and the command. */
export function globalOptions(command: Command): GlobalOptions {
  const all = command.optsWithGlobals<{ config?: string; logLevel?: LogLevel }>();
  return {
    ...(all.config === undefined ? {} : { config: all.config }),
    ...(all.logLevel === undefined ? {} : { logLevel: all.logLevel }),
  };
}
