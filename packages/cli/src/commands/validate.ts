/**
 * `flowmesh validate <files...>`: checks each workflow file against the
 * schema and the DAG rules (unknown or self dependencies, duplicate names,
 * cycles), printing every problem as `file:line:col path: message`. Exit 0
 * when every file is valid, 2 otherwise. Handlers are not resolved: that
 * needs the config's plugins, and `flowmesh run` reports it.
 */
import { Command } from "commander";
import { FlowMeshError, parseWorkflowFile, type LocatedIssue } from "@flowmesh/core";
import type { CliContext } from "../context.js";
import { EXIT, messageOf } from "../exit-codes.js";
import { addGlobalOptions } from "../global-options.js";
import { paint, colorEnabled } from "../render/format.js";

/** The result for one file, as `--json` prints it. */
export interface FileValidation {
  file: string;
  valid: boolean;
  /** The workflow's name and version, when valid. */
  workflow?: { name: string; version: string; tasks: number };
  /** Each problem with its place (line and column start at 1; absent when the file could not be read). */
  issues: ValidationIssue[];
}

/** One problem in a file. */
export interface ValidationIssue {
  /** The error code (`FM_ERR_INVALID_DEFINITION`, `FM_ERR_CYCLE`, ...). */
  code: string;
  message: string;
  /** Where in the definition (`tasks[1].depends_on[0]`), empty for the whole document. */
  path: string;
  line?: number;
  column?: number;
}

export function validateCommand(ctx: CliContext): Command {
  return addGlobalOptions(new Command("validate"))
    .description("check workflow files for schema and DAG errors, with file:line:col")
    .argument("<files...>", ".yaml, .yml or .json workflow files")
    .option("--json", "print one JSON object with each file's result")
    .action(async (files: string[], options: { json?: boolean }) => {
      const results: FileValidation[] = [];
      for (const file of files) results.push(await validateFile(file));
      const valid = results.every((result) => result.valid);
      if (options.json === true) {
        ctx.stdout.write(`${JSON.stringify({ valid, files: results }, null, 2)}\n`);
      } else {
        printResults(ctx, results);
      }
      ctx.exitCode = valid ? EXIT.ok : EXIT.usage;
    });
}

/** Parses and plans one file; never throws for problems in the file. */
export async function validateFile(file: string): Promise<FileValidation> {
  try {
    const definition = await parseWorkflowFile(file);
    return {
      file,
      valid: true,
      workflow: {
        name: definition.name,
        version: String(definition.version ?? "1"),
        tasks: definition.tasks.length,
      },
      issues: [],
    };
  } catch (error) {
    if (!(error instanceof FlowMeshError)) throw error;
    const located = error.details?.issues as LocatedIssue[] | undefined;
    const issues =
      Array.isArray(located) && located.length > 0
        ? located.map((issue) => ({ ...issue, code: error.code }))
        : [{ path: "", message: messageOf(error), code: error.code }];
    return { file, valid: false, issues };
  }
}

function printResults(ctx: CliContext, results: readonly FileValidation[]): void {
  const color = colorEnabled(ctx.stdout.isTTY === true, ctx.env);
  const errColor = colorEnabled(ctx.stderr.isTTY === true, ctx.env);
  for (const result of results) {
    if (result.valid) {
      const { name, tasks } = result.workflow!;
      ctx.stdout.write(`${paint("✔", "green", color)} ${result.file}: workflow "${name}", ${tasks} tasks\n`);
      continue;
    }
    for (const issue of result.issues) {
      const where =
        issue.line === undefined ? result.file : `${result.file}:${issue.line}:${issue.column ?? 1}`;
      const path = issue.path === "" ? "" : ` ${paint(issue.path, "red", errColor)}`;
      ctx.stderr.write(`${paint(where, "bold", errColor)}${path}: ${issue.message}\n`);
    }
  }
  const failed = results.filter((result) => !result.valid).length;
  if (failed > 0) {
    const problems = results.reduce((sum, result) => sum + result.issues.length, 0);
    ctx.stderr.write(
      `${problems} problem${problems === 1 ? "" : "s"} in ${failed} of ${results.length} file${results.length === 1 ? "" : "s"}\n`,
    );
  }
}
