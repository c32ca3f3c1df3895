/**
 * Finds and reads the config with cosmiconfig: `flowmesh.config.{ts,mts,mjs,
 * js,json,yaml,yml}` or a `flowmesh` key in package.json, searched from `cwd`
 * up to the project root (the nearest folder with a package.json). Two config
 * files in one folder are an error rather than a silent pick.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import type { Loader } from "cosmiconfig";
import { FlowMeshError } from "../errors.js";
import { displayPath } from "./config-source.js";
import { importModule, missingPackageOf } from "./import-module.js";
import { installCommand } from "./install-hint.js";
import { parseData } from "./parse-data.js";

/** Config file names, in the order they are looked for in each folder (package.json last). */
export const CONFIG_FILES: readonly string[] = [
  "flowmesh.config.ts",
  "flowmesh.config.mts",
  "flowmesh.config.mjs",
  "flowmesh.config.js",
  "flowmesh.config.json",
  "flowmesh.config.yaml",
  "flowmesh.config.yml",
];

const MODULE_EXTENSIONS = new Set([".ts", ".mts", ".mjs", ".js"]);
const DATA_EXTENSIONS = new Set([".json", ".yaml", ".yml"]);

/** A config as read from its file. */
export interface FoundConfig {
  /** Absolute path. */
  file: string;
  /** The default export (modules) or the parsed document; `undefined` for an empty file. */
  raw: unknown;
  /** Modules are code (TS/JS); data files get `${VAR}` substitution. */
  format: "module" | "data";
  /** The config is package.json's `flowmesh` key. */
  packageKey: boolean;
}

/** Loads `configFile` (relative to `cwd`), or searches from `cwd`. */
export async function findConfig(cwd: string, configFile?: string): Promise<FoundConfig> {
  const { cosmiconfig } = await import("cosmiconfig");
  const module: Loader = (file) => loadModule(file, cwd);
  const data: Loader = (file, content) =>
    parseData(content, displayPath(file, cwd), "FM_ERR_INVALID_OPTIONS");
  const explorer = cosmiconfig("flowmesh", {
    searchPlaces: [...CONFIG_FILES, "package.json"],
    searchStrategy: "project",
    ignoreEmptySearchPlaces: false,
    cache: false,
    loaders: {
      ".ts": module,
      ".mts": module,
      ".mjs": module,
      ".js": module,
      ".json": data,
      ".yaml": data,
      ".yml": data,
    },
  });
  if (configFile !== undefined) {
    const file = resolve(cwd, configFile);
    const label = displayPath(file, cwd);
    const ext = extname(file);
    if (!existsSync(file)) throw configError(`config file ${label} not found`, { configFile: file });
    if (!MODULE_EXTENSIONS.has(ext) && !DATA_EXTENSIONS.has(ext)) {
      throw configError(
        `${label}: a config file must end in .ts, .mts, .mjs, .js, .json, .yaml or .yml, or be a package.json`,
        { configFile: file },
      );
    }
    const result = await explorer.load(file);
    if (result === null) throw configError(`${label} has no "flowmesh" key`, { configFile: file });
    return found(result.filepath, result.config);
  }
  const result = await explorer.search(cwd);
  if (result === null) {
    throw configError(
      `no FlowMesh config found in ${cwd} or its parents up to the project root: create flowmesh.config.yaml (or .yml, .json, .ts, .mts, .mjs, .js), add a "flowmesh" key to package.json, or pass configFile`,
      { cwd },
    );
  }
  assertAlone(result.filepath, cwd);
  return found(result.filepath, result.config);
}

function found(file: string, raw: unknown): FoundConfig {
  const packageKey = basename(file) === "package.json";
  return { file, raw, packageKey, format: MODULE_EXTENSIONS.has(extname(file)) ? "module" : "data" };
}

/** A config module's default export; import failures name the file (and the package to install). */
async function loadModule(file: string, cwd: string): Promise<unknown> {
  const label = displayPath(file, cwd);
  let namespace: Record<string, unknown>;
  try {
    namespace = await importModule(file);
  } catch (error) {
    const missing = missingPackageOf(error);
    const install = missing === undefined ? undefined : installCommand(dirname(file), [missing]);
    if (missing !== undefined) {
      throw new FlowMeshError(
        "FM_ERR_PLUGIN",
        `${label}: cannot find package "${missing}" (imported by the config). Install it: ${install}`,
        { cause: error, details: { configFile: file, missingPackage: missing, install } },
      );
    }
    throw configError(
      `${label}: could not load it: ${error instanceof Error ? error.message : String(error)}`,
      {
        configFile: file,
      },
      error,
    );
  }
  if (!("default" in namespace)) {
    throw configError(`${label} has no default export: write export default defineConfig({ ... })`, {
      configFile: file,
    });
  }
  return namespace.default;
}

/** Refuses a folder with two configs: which one wins would be a guess. */
function assertAlone(file: string, cwd: string): void {
  const dir = dirname(file);
  const others = CONFIG_FILES.filter((name) => name !== basename(file) && existsSync(join(dir, name)));
  if (basename(file) !== "package.json" && hasPackageKey(join(dir, "package.json")))
    others.push('package.json "flowmesh"');
  if (others.length === 0) return;
  throw configError(
    `${displayPath(dir, cwd) || "."} holds more than one FlowMesh config (${[basename(file), ...others].join(", ")}): keep one, or pass configFile`,
    { configFile: file, others },
  );
}

function hasPackageKey(file: string): boolean {
  if (!existsSync(file)) return false;
  try {
    const manifest = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    return manifest.flowmesh !== undefined;
  } catch {
    return false;
  }
}

function configError(message: string, details: Record<string, unknown>, cause?: unknown): FlowMeshError {
  return new FlowMeshError("FM_ERR_INVALID_OPTIONS", message, { details, cause });
}
