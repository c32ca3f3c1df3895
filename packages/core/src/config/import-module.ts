/**
 * Imports config and plugin modules: TypeScript (`.ts`, `.mts`, `.cts`)
 * through jiti, everything else with Node's own `import()`. Both are loaded
 * lazily, so `@flowmesh/core` costs nothing extra for apps without a config file.
 */
import { extname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Jiti } from "jiti";
import { isBareSpecifier, packageName } from "./install-hint.js";

const TYPESCRIPT = new Set([".ts", ".mts", ".cts"]);

let jiti: Promise<Jiti> | undefined;

/** The module's namespace. TypeScript is re-read on every call, so an edited config is seen. */
export async function importModule(file: string): Promise<Record<string, unknown>> {
  if (TYPESCRIPT.has(extname(file))) {
    return (await loadJiti()).import<Record<string, unknown>>(file);
  }
  return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
}

/** ESM resolution (the `import` condition) from `parent`, for packages that export nothing to `require`. */
export async function resolveImport(specifier: string, parent: string): Promise<string | undefined> {
  const resolved = (await loadJiti()).esmResolve(specifier, { parentURL: pathToFileURL(parent), try: true });
  return resolved?.startsWith("file:") === true ? fileURLToPath(resolved) : resolved;
}

/** The package an import failed to find (`Cannot find package 'x'`), if that is why it failed. */
export function missingPackageOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") return undefined;
  const message = error instanceof Error ? error.message : "";
  const found = /Cannot find (?:package|module) '([^']+)'/.exec(message);
  return found === null || !isBareSpecifier(found[1]!) ? undefined : packageName(found[1]!);
}

function loadJiti(): Promise<Jiti> {
  jiti ??= import("jiti").then(({ createJiti }) => createJiti(import.meta.url, { moduleCache: false }));
  return jiti;
}
