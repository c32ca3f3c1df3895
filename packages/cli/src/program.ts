/**
 * The `flowmesh` command line: one commander program, one file per command.
 * Results go to stdout, logs and errors to stderr. Exit codes: 0 success,
 * 1 a failed run (or a failure at run time), 2 bad usage, config or files.
 */
import { Command, CommanderError } from "commander";
import { FlowMeshError } from "@flowmesh/core";
import { processContext, type CliContext } from "./context.js";
import { EXIT, exitCodeOf, messageOf, type ExitCode } from "./exit-codes.js";
import { addGlobalOptions } from "./global-options.js";
import { initCommand } from "./commands/init.js";
import { keygenCommand } from "./commands/keygen.js";
import { migrateCommand } from "./commands/migrate.js";
import { runCommand } from "./commands/run.js";
import { serveCommand } from "./commands/serve.js";
import { validateCommand } from "./commands/validate.js";
import { workerCommand } from "./commands/worker.js";
import { CLI_VERSION } from "./version.js";

/** Builds the program; commands report their exit code through `ctx`. */
export function createProgram(ctx: CliContext): Command {
  const program = addGlobalOptions(new Command("flowmesh"))
    .description("FlowMesh: run, serve and scale workflows")
    .version(CLI_VERSION, "-V, --version", "print the CLI's version")
    // Program options before the command name; each command declares the global ones too.
    .enablePositionalOptions()
    .showHelpAfterError("(run flowmesh help [command] for usage)")
    .configureOutput({
      writeOut: (text) => void ctx.stdout.write(text),
      writeErr: (text) => void ctx.stderr.write(text),
    })
    .exitOverride();
  for (const make of [
    runCommand,
    serveCommand,
    workerCommand,
    validateCommand,
    migrateCommand,
    keygenCommand,
    initCommand,
  ]) {
    const command = make(ctx)
      .configureOutput({
        writeOut: (text) => void ctx.stdout.write(text),
        writeErr: (text) => void ctx.stderr.write(text),
      })
      .showHelpAfterError(`(run flowmesh help for usage)`)
      .exitOverride();
    program.addCommand(command);
  }
  return program;
}

/**
 * Runs the command line (`argv` without node and the script) and returns
 * the exit code; errors are printed to stderr, never thrown.
 */
export async function main(argv: readonly string[], ctx: CliContext = processContext()): Promise<ExitCode> {
  const program = createProgram(ctx);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return ctx.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander printed its message already; help and --version are not errors.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    printError(ctx, error);
    return exitCodeOf(error);
  }
}

/** Located errors (workflow files) print as compiler output: one `file:line:col path: message` line each. */
function printError(ctx: CliContext, error: unknown): void {
  const message = messageOf(error);
  const located =
    error instanceof FlowMeshError && Array.isArray(error.details?.issues) && /^\S+:\d+:\d+/.test(message);
  const code = error instanceof FlowMeshError ? ` [${error.code}]` : "";
  ctx.stderr.write(located ? `${message}\n` : `error${code}: ${message}\n`);
  if (!(error instanceof FlowMeshError) && error instanceof Error && error.stack !== undefined) {
    ctx.stderr.write(`${error.stack}\n`);
  }
}
