/**
 * Turns a config's `"specifier"` or `["specifier", options]` entry into a
 * plugin: resolves the module from the config file's folder (packages and
 * relative paths), imports it, takes its factory (the default export, else
 * the `plugin` export, or `#name`) and calls it with the options.
 */
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { FlowMeshError } from "../errors.js";
import { describe } from "../model/issues.js";
import type { FlowMeshPlugin } from "../plugins/types.js";
import type { ConfigIssue, ConfigSource } from "./config-source.js";
import { importModule, missingPackageOf, resolveImport } from "./import-module.js";
import { installCommand, isBareSpecifier, packageName } from "./install-hint.js";
import { locateError } from "./locate-plugin.js";
import { isPluginInstance } from "./schema.js";

/** A module entry of a config: a specifier, or a specifier and the options for its factory. */
export type ModuleEntry = string | readonly [string, unknown?];

/** The plugin an entry describes. `path` is the entry's raw path (`plugins[1]`). */
export async function resolvePluginEntry(
  entry: ModuleEntry,
  path: string,
  source: ConfigSource,
): Promise<FlowMeshPlugin> {
  const [reference, ...options] = typeof entry === "string" ? [entry] : entry;
  const hash = reference.lastIndexOf("#");
  const specifier = hash > 0 ? reference.slice(0, hash) : reference;
  const exportName = hash > 0 ? reference.slice(hash + 1) : undefined;
  const file = await resolveModule(specifier, path, source);
  let module: Record<string, unknown>;
  try {
    module = await importModule(file);
  } catch (error) {
    const missing = missingPackageOf(error);
    if (missing !== undefined) throw missingPackage(missing, path, source, error, specifier);
    throw source.error(
      "FM_ERR_PLUGIN",
      [
        {
          path,
          message: `could not load "${specifier}": ${error instanceof Error ? error.message : String(error)}`,
        },
      ],
      { cause: error, details: { file } },
    );
  }
  const factory = pickFactory(module, specifier, exportName, path, source);
  let plugin: unknown;
  try {
    plugin = options.length === 0 ? factory() : factory(options[0]);
  } catch (error) {
    throw locateError(error, path, source);
  }
  if (!isPluginInstance(plugin)) {
    throw source.error(
      "FM_ERR_PLUGIN",
      [
        {
          path,
          message: `"${reference}" does not export a plugin factory: calling its ${exportName ?? "export"} returned ${describe(plugin)}, not a plugin made by definePlugin`,
        },
      ],
      { details: { file } },
    );
  }
  return plugin;
}

/** Raw issues of missing-package errors, so several can be merged into one. */
const missingIssues = new WeakMap<FlowMeshError, ConfigIssue>();

/** True when a failed entry failed because its package is not installed. */
export function isMissingPackage(error: unknown): error is FlowMeshError {
  return error instanceof FlowMeshError && missingIssues.has(error);
}

/** One error for several missing packages, with one install command. */
export function missingPackages(errors: readonly FlowMeshError[], source: ConfigSource): FlowMeshError {
  const packages = [...new Set(errors.map((error) => error.details!.missingPackage as string))];
  const issues = errors.map((error) => missingIssues.get(error)!);
  const install = installCommand(source.dir, packages);
  return source.error("FM_ERR_PLUGIN", issues, {
    hint: `Install ${packages.length === 1 ? "it" : "them"}: ${install}`,
    details: { missingPackages: packages, install },
  });
}

async function resolveModule(specifier: string, path: string, source: ConfigSource): Promise<string> {
  const bare = isBareSpecifier(specifier);
  try {
    return createRequire(source.file).resolve(specifier);
  } catch (error) {
    // ESM-only packages export nothing under the `require` condition: resolve as an import.
    const viaImport = bare ? await resolveImport(specifier, source.file) : undefined;
    if (viaImport !== undefined) return viaImport;
    if (bare) throw missingPackage(packageName(specifier), path, source, error, specifier);
    throw source.error(
      "FM_ERR_PLUGIN",
      [{ path, message: `cannot find "${specifier}" (looked for ${resolve(source.dir, specifier)})` }],
      { cause: error },
    );
  }
}

function missingPackage(
  name: string,
  path: string,
  source: ConfigSource,
  cause: unknown,
  specifier: string,
): FlowMeshError {
  const install = installCommand(source.dir, [name]);
  const imported = name === packageName(specifier) ? "" : ` (imported by "${specifier}")`;
  const issue = { path, message: `cannot find package "${name}"${imported}` };
  const error = source.error("FM_ERR_PLUGIN", [issue], {
    cause,
    hint: `Install it: ${install}`,
    details: { missingPackage: name, install, from: source.dir },
  });
  missingIssues.set(error, issue);
  return error;
}

function pickFactory(
  module: Record<string, unknown>,
  specifier: string,
  exportName: string | undefined,
  path: string,
  source: ConfigSource,
): (options?: unknown) => unknown {
  const names = exportName === undefined ? ["default", "plugin"] : [exportName];
  for (const name of names) {
    const value = module[name];
    if (typeof value === "function") return value as (options?: unknown) => unknown;
  }
  const instance = names.map((name) => module[name]).find(isPluginInstance);
  const message =
    instance !== undefined
      ? `"${specifier}" exports the plugin instance "${instance.name}", not its factory: export the function definePlugin returns`
      : exportName !== undefined
        ? `"${specifier}" has no export "${exportName}" that is a plugin factory (exports: ${Object.keys(module).sort().join(", ") || "none"})`
        : `"${specifier}" has no plugin factory: export default definePlugin({ ... }), or export it as "plugin"`;
  throw source.error("FM_ERR_PLUGIN", [{ path, message }]);
}
