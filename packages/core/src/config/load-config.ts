/**
 * `loadConfig()`: finds the config, substitutes `${VAR}`s, validates it,
 * imports its plugins and reads its workflow files, without creating an
 * engine. Every error names the config file and the path inside it.
 */
import { existsSync } from "node:fs";
import { extname, resolve } from "node:path";
import type { FlowMeshPlugin } from "../plugins/types.js";
import { ConfigSource, type ConfigIssue } from "./config-source.js";
import { substituteEnv } from "./env.js";
import { findConfig, type FoundConfig } from "./find-config.js";
import { globFiles, isGlob } from "./glob.js";
import { locatePlugin } from "./locate-plugin.js";
import { isMissingPackage, missingPackages, resolvePluginEntry, type ModuleEntry } from "./resolve-plugin.js";
import { isPluginInstance, validateConfig, type ValidConfig } from "./schema.js";
import type { ConfigWorkflow, LoadConfigOptions, LoadedConfig, ResolvedConfig } from "./types.js";
import { readWorkflowFile, WORKFLOW_EXTENSIONS, type WorkflowFileReader } from "./workflow-files.js";

/** Reads workflow files; the DSL's `parseWorkflowFile` has the same shape. */
const readWorkflow: WorkflowFileReader = readWorkflowFile;

/**
 * Finds, validates and resolves the config: plugins imported and created,
 * workflow files read. Throws `FM_ERR_INVALID_OPTIONS` (a bad setting, an
 * unset `${VAR}`, no config found) or `FM_ERR_PLUGIN` (a plugin that cannot be
 * found or is not a factory), naming the file and path.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const found = await findConfig(cwd, options.configFile);
  const source = new ConfigSource(found.file, cwd, found.packageKey);
  const raw = substitute(found, options.env ?? process.env, source);
  const valid = validateConfig(raw);
  if ("issues" in valid) throw source.error("FM_ERR_INVALID_OPTIONS", valid.issues);
  const { backend, plugins } = await resolvePlugins(valid.config, source);
  const workflows = await readWorkflows(valid.config.workflows, source);
  const config: ResolvedConfig = {
    backend,
    plugins,
    workflows,
    log: valid.config.log,
    engine: valid.config.engine,
    server: valid.config.server,
  };
  return { config, configFile: found.file };
}

/**
 * `${VAR}` substitution: every string of a JSON/YAML config; in a TS/JS
 * config, the `[specifier, options]` tuples (they are data there too).
 */
function substitute(
  found: FoundConfig,
  env: NonNullable<LoadConfigOptions["env"]>,
  source: ConfigSource,
): unknown {
  const raw = found.raw ?? {};
  let value: unknown = raw;
  const issues: ConfigIssue[] = [];
  if (found.format === "data") {
    const result = substituteEnv(raw, env);
    value = result.value;
    issues.push(...result.issues);
  } else if (typeof raw === "object" && !Array.isArray(raw)) {
    const config = { ...(raw as Record<string, unknown>) };
    if (Array.isArray(config.backend)) {
      const result = substituteEnv(config.backend, env, ["backend"]);
      config.backend = result.value;
      issues.push(...result.issues);
    }
    if (Array.isArray(config.plugins)) {
      config.plugins = config.plugins.map((entry: unknown, i) => {
        if (!Array.isArray(entry)) return entry;
        const result = substituteEnv(entry, env, ["plugins", i]);
        issues.push(...result.issues);
        return result.value;
      });
    }
    value = config;
  }
  if (issues.length > 0) throw source.error("FM_ERR_INVALID_OPTIONS", issues);
  return value;
}

/** Imports every plugin entry (all at once, so several missing packages are reported together). */
async function resolvePlugins(
  config: ValidConfig,
  source: ConfigSource,
): Promise<{ backend: ResolvedConfig["backend"]; plugins: FlowMeshPlugin[] }> {
  const entries: { path: string; entry: unknown; backend: boolean }[] = [];
  if (config.backend !== undefined) entries.push({ path: "backend", entry: config.backend, backend: true });
  for (const { entry, path } of config.plugins) entries.push({ path, entry, backend: false });
  const settled = await Promise.allSettled(
    entries.map(async ({ path, entry, backend }) => {
      if (typeof entry === "string" || Array.isArray(entry)) {
        return locatePlugin(
          await resolvePluginEntry(entry as ModuleEntry, path, source),
          path,
          source,
          backend,
        );
      }
      // A Coordinator or RunStore instance passes through; a plugin instance gets located errors.
      return isPluginInstance(entry) ? locatePlugin(entry, path, source, backend) : entry;
    }),
  );
  const failed = settled.flatMap((result) =>
    result.status === "rejected" ? [result.reason as unknown] : [],
  );
  if (failed.length > 0) {
    if (failed.length > 1 && failed.every(isMissingPackage)) throw missingPackages(failed, source);
    throw failed[0];
  }
  const values = settled.map((result) => (result as PromiseFulfilledResult<unknown>).value);
  const backend = config.backend === undefined ? undefined : (values.shift() as ResolvedConfig["backend"]);
  const plugins = values as FlowMeshPlugin[];
  checkPluginSet(entries, backend, plugins, source);
  return { backend, plugins };
}

/** Duplicate names and missing dependencies, reported with their config paths before the engine starts. */
function checkPluginSet(
  entries: readonly { path: string; backend: boolean }[],
  backend: ResolvedConfig["backend"],
  plugins: readonly FlowMeshPlugin[],
  source: ConfigSource,
): void {
  const listed = [...(isPluginInstance(backend) ? [backend] : []), ...plugins];
  const paths = entries.filter((e) => !e.backend || isPluginInstance(backend)).map((e) => e.path);
  const seen = new Map<string, string>();
  const issues: ConfigIssue[] = [];
  listed.forEach((plugin, i) => {
    const first = seen.get(plugin.name);
    if (first !== undefined) {
      issues.push({
        path: paths[i]!,
        message: `plugin "${plugin.name}" is already installed by ${source.path(first)}`,
      });
    } else seen.set(plugin.name, paths[i]!);
  });
  listed.forEach((plugin, i) => {
    const missing = plugin.dependencies.filter((name) => !seen.has(name));
    if (missing.length === 0) return;
    issues.push({
      path: paths[i]!,
      message: `plugin "${plugin.name}" needs ${missing.map((m) => `"${m}"`).join(", ")}, which ${missing.length === 1 ? "is" : "are"} not installed: add ${missing.length === 1 ? "it" : "them"} to plugins`,
    });
  });
  if (issues.length > 0) throw source.error("FM_ERR_PLUGIN", issues);
}

/** Expands paths and globs (relative to the config file) and reads each file once, in config order. */
async function readWorkflows(
  entries: ValidConfig["workflows"],
  source: ConfigSource,
): Promise<ConfigWorkflow[]> {
  const listed: { path: string; file?: string; definition?: object }[] = [];
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const { entry, path } of entries) {
    if (typeof entry !== "string") {
      listed.push({ path, definition: entry });
      continue;
    }
    const files = isGlob(entry)
      ? globFiles(entry, source.dir).filter((file) => WORKFLOW_EXTENSIONS.includes(extname(file)))
      : [resolve(source.dir, entry)];
    const problem = isGlob(entry)
      ? files.length === 0
        ? `"${entry}" matched no .yaml, .yml or .json file in ${source.dir} (wildcards: *, ? and **)`
        : undefined
      : !existsSync(files[0]!)
        ? `workflow file ${files[0]!} not found`
        : !WORKFLOW_EXTENSIONS.includes(extname(files[0]!))
          ? `expected a .yaml, .yml or .json workflow file, received ${JSON.stringify(entry)}`
          : undefined;
    if (problem !== undefined) issues.push({ path, message: problem });
    for (const file of files) {
      if (seen.has(file)) continue;
      seen.add(file);
      listed.push({ path, file });
    }
  }
  if (issues.length > 0) throw source.error("FM_ERR_INVALID_OPTIONS", issues);
  const workflows: ConfigWorkflow[] = [];
  for (const item of listed) {
    const entry = source.path(item.path);
    if (item.file === undefined) {
      workflows.push({
        definition: item.definition as ConfigWorkflow["definition"],
        source: source.file,
        entry,
      });
    } else {
      workflows.push({ definition: await readWorkflow(item.file), source: item.file, entry });
    }
  }
  return workflows;
}
