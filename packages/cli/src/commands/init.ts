/**
 * `flowmesh init [dir]`: a config, a YAML workflow and its task module, so
 * that `flowmesh run workflows/hello.yaml` works at once in that folder.
 * Existing files are never overwritten without `--force`; with conflicts,
 * nothing is written.
 */
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { Command } from "commander";
import type { CliContext } from "../context.js";
import { EXIT, usageError } from "../exit-codes.js";
import { addGlobalOptions } from "../global-options.js";
import { scaffoldFiles } from "../scaffold/templates.js";

export function initCommand(ctx: CliContext): Command {
  return addGlobalOptions(new Command("init"))
    .description("scaffold a config, a YAML workflow and a task module")
    .argument("[dir]", "folder to create the project in", ".")
    .option("-f, --force", "overwrite files that exist")
    .action(async (dir: string, options: { force?: boolean }) => {
      const root = resolve(ctx.cwd, dir);
      const files = scaffoldFiles();
      const existing = files.filter((file) => existsSync(join(root, file.path)));
      if (existing.length > 0 && options.force !== true) {
        throw usageError(
          `${existing.map((file) => join(dir, file.path)).join(", ")} already exist${existing.length === 1 ? "s" : ""}: nothing was written (pass --force to overwrite)`,
          { files: existing.map((file) => file.path) },
        );
      }
      for (const file of files) {
        const path = join(root, file.path);
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, file.content);
        ctx.stdout.write(`created ${relative(ctx.cwd, path) || path}\n`);
      }
      const cd = relative(ctx.cwd, root);
      ctx.stdout.write(
        [
          "",
          "Next:",
          ...(cd === "" ? [] : [`  cd ${cd.includes(" ") ? JSON.stringify(cd) : cd}`]),
          "  npx flowmesh run workflows/hello.yaml",
          `  npx flowmesh run workflows/hello.yaml --input '{"name": "Ada"}'`,
          "  npx flowmesh serve            # the HTTP API, docs at /docs",
          "",
        ].join("\n"),
      );
      ctx.exitCode = EXIT.ok;
    });
}
