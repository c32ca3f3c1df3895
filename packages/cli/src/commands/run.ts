/**
 * `flowmesh run <workflow>`: registers a workflow file (or picks a workflow
 * the config lists), starts a run on the configured backend and shows it
 * live until it ends. Exit 0 when it succeeded, 1 when it failed, was
 * cancelled or timed out, 2 for bad flags, config or workflow files.
 */
import { existsSync } from "node:fs";
import { Command } from "commander";
import { registerWorkflowFile, type FlowMesh, type RunRecord } from "@flowmesh/core";
import { isCI, type CliContext } from "../context.js";
import { followRun } from "../engine/follow-run.js";
import { loadEngine } from "../engine/load-engine.js";
import { EXIT, usageError } from "../exit-codes.js";
import { addGlobalOptions, globalOptions } from "../global-options.js";
import { colorEnabled } from "../render/format.js";
import { JsonRenderer } from "../render/json-renderer.js";
import { LineRenderer } from "../render/line-renderer.js";
import type { RunRenderer } from "../render/renderer.js";
import { applyEvent, viewFromRecord } from "../render/run-view.js";
import { TtyRunRenderer } from "../render/tty-run-renderer.js";
import { onInterrupt } from "../signals.js";
import { readRunInput } from "./run-input.js";

/** Options of `flowmesh run`. */
export interface RunCommandOptions {
  input?: string;
  json?: boolean;
  version?: string;
  idempotencyKey?: string;
}

/** A file argument, as opposed to the name of a workflow the config lists. */
const WORKFLOW_FILE = /\.(ya?ml|json)$/i;

export function runCommand(ctx: CliContext): Command {
  return addGlobalOptions(new Command("run"))
    .description("run a workflow and show it live until it ends")
    .argument(
      "<workflow>",
      "a .yaml, .yml or .json workflow file, or the name of a workflow the config lists",
    )
    .option("-i, --input <json|@file>", "the run's input: JSON text, @file.json, @file.yaml, or @- for stdin")
    .option("--json", "print the run's events as NDJSON on stdout, then a result line")
    .option(
      "--version <version>",
      "the workflow version to run (default: the file's, or the latest registered)",
    )
    .option(
      "--idempotency-key <key>",
      "start the run only once for this key; the same key shows the same run",
    )
    .action(async (target: string, options: RunCommandOptions, command: Command) => {
      ctx.exitCode = await runWorkflow(ctx, target, options, command);
    });
}

async function runWorkflow(
  ctx: CliContext,
  target: string,
  options: RunCommandOptions,
  command: Command,
): Promise<typeof EXIT.ok | typeof EXIT.failed> {
  const isFile = WORKFLOW_FILE.test(target) || existsSync(target);
  const input = await readRunInput(options.input, ctx.cwd);
  const tty = options.json !== true && ctx.stdout.isTTY === true && !isCI(ctx.env);
  const color = tty && colorEnabled(true, ctx.env);
  const ttyRenderer = tty ? new TtyRunRenderer(ctx.stdout, color) : undefined;
  const renderer: RunRenderer =
    ttyRenderer ?? (options.json === true ? new JsonRenderer(ctx.stdout) : new LineRenderer(ctx.stdout));
  const { engine } = await loadEngine({
    cwd: ctx.cwd,
    global: globalOptions(command),
    defaultLogLevel: "error",
    registerConfigWorkflows: !isFile,
    ...(ttyRenderer === undefined ? {} : { logDestination: ttyRenderer.tty.logStream(ctx.stderr) }),
  });
  try {
    const workflow = isFile ? await registerFile(engine, target, options.version) : target;
    const handle = await engine.start(workflow, input, {
      ...(options.version === undefined ? {} : { version: options.version }),
      ...(options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey }),
    });
    const created = await engine.getRun(handle.id);
    if (created === undefined) throw usageError(`run ${handle.id} disappeared from the backend`);
    let view = viewFromRecord(created);
    renderer.begin(view);
    const stopListening = onInterrupt(
      ["SIGINT", "SIGTERM"],
      () => {
        const note = "cancelling the run (press Ctrl-C again to quit at once)\n";
        if (ttyRenderer === undefined) ctx.stderr.write(note);
        else ttyRenderer.tty.printAbove(note, ctx.stderr);
        engine.cancel(handle.id, "cancelled from the command line").catch((error: unknown) => {
          engine.logger.error({ err: error }, "cancelling the run failed");
        });
      },
      () => {
        ttyRenderer?.tty.stop();
        process.exit(130);
      },
    );
    let run: RunRecord;
    try {
      run = await followRun(engine, handle.id, (event) => {
        view = applyEvent(view, event);
        renderer.event(event, view);
      });
    } finally {
      stopListening();
    }
    const outputs = run.status === "succeeded" ? await handle.result() : {};
    renderer.end(run, outputs);
    return run.status === "succeeded" ? EXIT.ok : EXIT.failed;
  } finally {
    ttyRenderer?.tty.stop();
    await engine.close();
  }
}

/** Registers the file; `--version` must then be the file's version. */
async function registerFile(engine: FlowMesh, file: string, version: string | undefined): Promise<string> {
  const { plan } = await registerWorkflowFile(engine, file);
  if (version !== undefined && version !== plan.version) {
    throw usageError(
      `--version ${version}: ${file} defines version ${JSON.stringify(plan.version)} of workflow "${plan.name}"`,
    );
  }
  return plan.name;
}
