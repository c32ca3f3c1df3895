/**
 * The config's backend entry as written, for commands that need its options
 * without starting a backend (`flowmesh migrate` reads the Postgres URL and
 * schema). Data configs (JSON, YAML, package.json "flowmesh") are read with
 * `${VAR}` and `${VAR:-default}` substituted; TS/JS configs build plugin
 * instances whose options are not visible, so their commands take flags.
 */
import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, dirname, extname, join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { usageError } from "../exit-codes.js";

/** A `[specifier, options]` backend entry. */
export interface BackendEntry {
  specifier: string;
  options: Record<string, unknown>;
}

/** The backend entry of a data config, or undefined (no backend, or a TS/JS config). */
export async function readBackendEntry(
  configFile: string,
  env: NodeJS.ProcessEnv,
): Promise<BackendEntry | undefined> {
  const ext = extname(configFile);
  if (ext !== ".json" && ext !== ".yaml" && ext !== ".yml") return undefined;
  let document: unknown;
  try {
    document = parseYaml(await readFile(configFile, "utf8")) as unknown;
  } catch (error) {
    const reason =
      (error as { code?: unknown }).code === "ENOENT"
        ? "not found"
        : error instanceof Error
          ? error.message
          : String(error);
    throw usageError(`config file ${configFile}: ${reason}`, { configFile });
  }
  const config = basename(configFile) === "package.json" ? property(document, "flowmesh") : document;
  const backend = property(config, "backend");
  if (typeof backend === "string") return { specifier: backend, options: {} };
  if (!Array.isArray(backend) || typeof backend[0] !== "string") return undefined;
  const options = substitute(backend[1], env);
  return {
    specifier: backend[0],
    options:
      typeof options === "object" && options !== null && !Array.isArray(options)
        ? (options as Record<string, unknown>)
        : {},
  };
}

/** Config file names in the order core looks for them in each folder. */
const CONFIG_FILES = [
  "flowmesh.config.ts",
  "flowmesh.config.mts",
  "flowmesh.config.mjs",
  "flowmesh.config.js",
  "flowmesh.config.json",
  "flowmesh.config.yaml",
  "flowmesh.config.yml",
];

/**
 * The config file core would load, found without loading it (so without
 * importing its plugins or needing its `${VAR}`s): `configFile` when given,
 * else the first config from `cwd` up to the project root (the nearest
 * folder with a package.json), which may be package.json's `flowmesh` key.
 */
export function locateConfigFile(cwd: string, configFile: string | undefined): string | undefined {
  if (configFile !== undefined) return resolve(cwd, configFile);
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const found = CONFIG_FILES.map((name) => join(dir, name)).find((file) => existsSync(file));
    if (found !== undefined) return found;
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) return hasFlowmeshKey(manifest) ? manifest : undefined;
    if (dirname(dir) === dir) return undefined;
  }
}

function hasFlowmeshKey(file: string): boolean {
  try {
    return (JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>).flowmesh !== undefined;
  } catch {
    return false;
  }
}

/** `${VAR}` and `${VAR:-default}` in every string; an unset variable without a default becomes "". */
export function substitute(value: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof value === "string") {
    return value.replace(
      /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g,
      (_match, name: string, fallback?: string) => {
        const set = env[name];
        return set !== undefined && set !== "" ? set : (fallback ?? "");
      },
    );
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, env));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substitute(item, env)]));
  }
  return value;
}

function property(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}
