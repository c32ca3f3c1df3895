/**
 * Imports a package the CLI can use but does not depend on (the Postgres
 * and auth plugins): first as installed in the user's project (resolved
 * from the working directory), then next to the CLI itself. When neither
 * has it, the error says what to install.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { FlowMeshError } from "@flowmesh/core";

/**
 * The package's module namespace, checked to export the named functions.
 * Throws `FM_ERR_PLUGIN` with an install command when it is not installed,
 * or exports them not.
 */
export async function importOptional<T extends object>(
  specifier: string,
  exports: readonly (keyof T & string)[],
  cwd: string,
  /** What needs it and how to install it: `{ command: "migrate", install: "npm install @flowmesh/plugin-postgres pg" }`. */
  why: { command: string; install: string },
): Promise<T> {
  let module: Record<string, unknown>;
  try {
    module = (await import(resolveFrom(specifier, cwd))) as Record<string, unknown>;
  } catch (error) {
    if (!isNotFound(error, specifier)) throw error;
    throw new FlowMeshError(
      "FM_ERR_PLUGIN",
      `flowmesh ${why.command} needs ${specifier}, which is not installed: install ${specifier} in your project (${why.install})`,
      { cause: error, details: { package: specifier, install: why.install } },
    );
  }
  const missing = exports.filter((name) => typeof module[name] !== "function");
  if (missing.length > 0) {
    throw new FlowMeshError(
      "FM_ERR_PLUGIN",
      `${specifier} does not export ${missing.join(", ")}: upgrade it (npm install ${specifier}@latest)`,
      { details: { package: specifier, missing } },
    );
  }
  return module as T;
}

/** A URL for the package as the project installed it, else the bare name (resolved from the CLI). */
function resolveFrom(specifier: string, cwd: string): string {
  try {
    return pathToFileURL(createRequire(join(cwd, "noop.js")).resolve(specifier)).href;
  } catch {
    return specifier;
  }
}

function isNotFound(error: unknown, specifier: string): boolean {
  const code = (error as { code?: unknown }).code;
  return (
    (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") &&
    error instanceof Error &&
    error.message.includes(specifier)
  );
}
