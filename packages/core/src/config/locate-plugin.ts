/**
 * Config plugins report where they are configured: a plugin's errors at setup
 * (bad options from its zod schema, anything its setup throws) are rethrown
 * naming the config file and entry, `flowmesh.config.yaml
 * plugins[1].options.url: expected a URL`, keeping the original as `cause`.
 */
import { ERROR_CODES, FlowMeshError, type FlowMeshErrorCode } from "../errors.js";
import type { Capabilities, FlowMeshPlugin, PluginContext } from "../plugins/types.js";
import type { ConfigIssue, ConfigSource } from "./config-source.js";

/**
 * The plugin, its errors located at `path` (raw: `plugins[1]`, `backend`).
 * With `providesBackend`, setting it up without providing a backend is an error.
 */
export function locatePlugin(
  plugin: FlowMeshPlugin,
  path: string,
  source: ConfigSource,
  providesBackend = false,
): FlowMeshPlugin {
  return {
    name: plugin.name,
    version: plugin.version,
    enforce: plugin.enforce,
    dependencies: plugin.dependencies,
    async apply(ctx: PluginContext) {
      let provided = false;
      const context: PluginContext = !providesBackend
        ? ctx
        : {
            ...ctx,
            provide<K extends keyof Capabilities>(key: K, value: Capabilities[K]) {
              ctx.provide(key, value);
              if (key === "backend") provided = true;
            },
          };
      try {
        await plugin.apply(context);
      } catch (error) {
        throw locateError(error, path, source, plugin.name);
      }
      if (providesBackend && !provided) {
        throw source.error(
          "FM_ERR_PLUGIN",
          [
            {
              path,
              message: `plugin "${plugin.name}" does not provide a backend (it never calls ctx.provide("backend", ...)); list it under plugins instead`,
            },
          ],
          { details: { plugin: plugin.name } },
        );
      }
    },
  };
}

/** An error thrown by a configured plugin (or its factory), located at `path`. */
export function locateError(
  error: unknown,
  path: string,
  source: ConfigSource,
  plugin?: string,
): FlowMeshError {
  const details = (error as { details?: Record<string, unknown> } | null)?.details;
  if (details?.configFile === source.file && error instanceof FlowMeshError) return error;
  const code = codeOf(error);
  const issues = details?.issues;
  if (
    code === "FM_ERR_INVALID_OPTIONS" &&
    Array.isArray(issues) &&
    (details?.plugin === undefined || details.plugin === plugin)
  ) {
    return source.error(
      code,
      (issues as ConfigIssue[]).map((issue) => ({
        path: optionPath(path, issue.path),
        message: issue.message,
      })),
      { cause: error, details: { plugin } },
    );
  }
  const message = (error instanceof Error ? error.message : String(error)).replace(/^\[flowmesh\] /, "");
  if (code !== undefined) {
    return source.error(code, [{ path, message }], { cause: error, details: { ...details, plugin } });
  }
  const what = plugin === undefined ? "the plugin factory threw" : `plugin "${plugin}" failed in setup`;
  return source.error("FM_ERR_PLUGIN", [{ path, message: `${what}: ${message}` }], {
    cause: error,
    details: { plugin },
  });
}

/**
 * `plugins[1]` + `url` → `plugins[1][1].url`, which reads `plugins[1].options.url`
 * for tuples and plugin instances alike.
 */
function optionPath(entry: string, option: string): string {
  if (option === "") return `${entry}[1]`;
  return option.startsWith("[") ? `${entry}[1]${option}` : `${entry}[1].${option}`;
}

/** The code of a FlowMeshError, also one thrown by another copy of core (a config loaded through jiti). */
function codeOf(error: unknown): FlowMeshErrorCode | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code in ERROR_CODES ? (code as FlowMeshErrorCode) : undefined;
}
