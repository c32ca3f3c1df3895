/**
 * `moduleHandlers()`: resolves module references, `handler: ./tasks/s3.js#extract`
 * (a named export) or `handler: ./tasks/load.js` (the default export),
 * relative to the workflow file, by dynamic import. Modules must lie inside
 * `root`, so a definition cannot make the engine import arbitrary files.
 */
import { existsSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { z } from "zod";
import { FlowMeshError } from "../errors.js";
import type { HandlerRequest } from "../hooks/types.js";
import { describe } from "../model/issues.js";
import { definePlugin } from "../plugins/define-plugin.js";
import type { TaskHandler } from "../types.js";

/** Options of {@link moduleHandlers}. */
export const moduleHandlersOptionsSchema = z.strictObject({
  /**
   * Handler modules must resolve inside this directory; a reference outside it is refused.
   * @default process.cwd()
   */
  root: z.string().min(1, { error: "expected a directory path, received an empty string" }).optional(),
});

/**
 * Resolves references that start like a path (`./`, `../`, `/`, `file:`):
 * relative ones against the file the workflow came from (`register(def, { source })`,
 * which `registerWorkflowFile` passes). `#name` picks a named export, none the
 * default export. Other references are left to other resolvers.
 */
export const moduleHandlers = definePlugin({
  name: "flowmesh:module-handlers",
  options: moduleHandlersOptionsSchema,
  setup(ctx, options) {
    const root = resolve(options.root ?? process.cwd());
    ctx.hooks.resolveHandler.tapPromise(async (request) => {
      if (!isModuleReference(request.ref)) return undefined;
      return importHandler(request, root);
    });
  },
});

/** Module references start like a path; anything else is a name. */
export function isModuleReference(ref: string): boolean {
  return /^(\.{1,2}\/|\/|file:)/.test(ref);
}

// ---------------------------------------------------------------- private helpers

async function importHandler(request: HandlerRequest, root: string): Promise<TaskHandler> {
  const hash = request.ref.lastIndexOf("#");
  const specifier = hash === -1 ? request.ref : request.ref.slice(0, hash);
  const exportName = hash === -1 ? "default" : request.ref.slice(hash + 1);
  if (exportName === "") throw unresolved(request, 'names no export after "#"');
  const file = modulePath(request, specifier);
  const inside = relative(root, file);
  if (inside === ".." || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    throw unresolved(request, `resolves to ${file}, outside the handler root ${root} (option root)`);
  }
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    // Tell a missing file from a module that exists but fails to load (or imports something missing).
    const reason = !existsSync(file)
      ? "no such file"
      : error instanceof Error
        ? error.message
        : String(error);
    throw unresolved(request, `cannot be imported from ${file}: ${reason}`, error);
  }
  const handler = module[exportName];
  if (typeof handler === "function") return handler as TaskHandler;
  if (!(exportName in module)) {
    const names = Object.keys(module).filter((name) => typeof module[name] === "function");
    const known = names.length === 0 ? "it exports no functions" : `it exports ${names.join(", ")}`;
    throw unresolved(
      request,
      `has no ${exportName === "default" ? "default export" : `export "${exportName}"`} (${known})`,
    );
  }
  throw unresolved(request, `exports "${exportName}" as ${describe(handler)}, not a function`);
}

/** The module's absolute path: relative references need the definition's file. */
function modulePath(request: HandlerRequest, specifier: string): string {
  // resolve() normalizes `..` segments, so the root check sees where the path really goes.
  if (specifier.startsWith("file:")) return resolve(fileURLToPath(specifier));
  if (isAbsolute(specifier)) return resolve(specifier);
  if (request.source === undefined) {
    throw unresolved(
      request,
      "is relative, but the workflow has no source file to resolve it against: register it with { source } (registerWorkflowFile does)",
    );
  }
  const source = request.source.startsWith("file:") ? fileURLToPath(request.source) : resolve(request.source);
  return resolve(dirname(source), specifier);
}

function unresolved(request: HandlerRequest, problem: string, cause?: unknown): FlowMeshError {
  return new FlowMeshError(
    "FM_ERR_UNRESOLVED_HANDLER",
    `task ${JSON.stringify(request.task.name)}: handler ${JSON.stringify(request.ref)} ${problem}`,
    { cause, details: { workflow: request.workflow, task: request.task.name, ref: request.ref } },
  );
}
