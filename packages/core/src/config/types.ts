/**
 * The config file (`flowmesh.config.{ts,mts,mjs,js,json,yaml,yml}` or a
 * `flowmesh` key in package.json) as users write it, and what loading it gives.
 */
import type { Coordinator, RunStore } from "../backend/types.js";
import type { FlowMesh } from "../engine/engine.js";
import type { FlowMeshOptions } from "../engine/options.js";
import type { RegisteredWorkflow } from "../engine/registry.js";
import type { Logger, LoggerOptions } from "../logger.js";
import type { FlowMeshPlugin } from "../plugins/types.js";
import type { WorkflowDefinition, WorkflowDefinitionInput } from "../types.js";

/**
 * Where a plugin comes from: a package name (`@flowmesh/plugin-redis`) or a
 * path relative to the config file (`./plugins/audit.js`), resolved from the
 * config file's folder. `#name` picks a named export (`./plugins.js#audit`);
 * without it the module's default export, else its `plugin` export, must be a
 * factory made by `definePlugin`.
 */
export type PluginSpecifier = string;

/**
 * A plugin in a config: an instance from a factory (TS/JS configs:
 * `redis({ url })`), a specifier (the factory is called without options), or
 * a `[specifier, options]` tuple. Tuple options get `${VAR}` substitution in
 * every config format.
 */
export type PluginEntry = FlowMeshPlugin | PluginSpecifier | readonly [PluginSpecifier, unknown?];

/** Log levels of the default logger. */
export type LogLevel = NonNullable<LoggerOptions["level"]>;

/**
 * The `server` section, passed through untouched and validated by
 * `@flowmesh/server`, which types it by augmentation:
 * `declare module "@flowmesh/core" { interface ServerConfig { port?: number } }`.
 */
export interface ServerConfig {
  [key: string]: unknown;
}

/** Engine options a config file sets, with the meaning and defaults of {@link FlowMeshOptions}. */
export type ConfigEngineOptions = Pick<
  FlowMeshOptions,
  "concurrency" | "worker" | "lease" | "sweepInterval" | "drainTimeout" | "workerId"
>;

/** A config file's contents. TS/JS configs get it typed through `defineConfig`. */
export interface FlowMeshConfig extends ConfigEngineOptions {
  /** JSON Schema reference for editors; ignored. */
  $schema?: string;
  /**
   * A plugin that provides the backend (`ctx.provide("backend", ...)`); set up
   * before the other plugins. TS/JS configs may pass a `Coordinator` or
   * `RunStore` instance instead. @default in-memory
   */
  backend?: PluginEntry | Coordinator | RunStore;
  /** Plugins, set up in `enforce` order, list order within each. `false`, `null` and `undefined` entries are skipped (conditional plugins). @default [] */
  plugins?: (PluginEntry | false | null | undefined)[];
  /**
   * Workflow files to register, relative to the config file: paths and globs
   * (`*` and `?` within a name, `**` for any depth; `.yaml`, `.yml`, `.json`).
   * TS/JS configs may list definitions too. @default []
   */
  workflows?: string | (string | WorkflowDefinitionInput | WorkflowDefinition)[];
  /** The default logger. @default level from `FLOWMESH_LOG_LEVEL`, else "info" */
  log?: {
    /** @default process.env.FLOWMESH_LOG_LEVEL ?? "info" */
    level?: LogLevel;
  };
  /** Settings for `@flowmesh/server`, passed through. @default undefined */
  server?: ServerConfig;
}

/** A workflow the config asks for, read and ready to register. */
export interface ConfigWorkflow {
  /** The definition (from a file, or inline in a TS/JS config). */
  definition: WorkflowDefinitionInput | WorkflowDefinition;
  /** The file it came from (the config file for inline definitions): relative handler references resolve against it. */
  source: string;
  /** Which entry of `workflows` listed it, as shown in errors (`workflows[0]`). */
  entry: string;
}

/** A validated config, plugins imported and workflow files read. */
export interface ResolvedConfig {
  /** The backend plugin (already checked to provide a backend when the engine starts), or an instance from a TS/JS config. */
  backend: FlowMeshPlugin | Coordinator | RunStore | undefined;
  /** Plugins in config order, errors located in the config file. */
  plugins: FlowMeshPlugin[];
  workflows: ConfigWorkflow[];
  log: { level?: LogLevel };
  engine: ConfigEngineOptions;
  server: ServerConfig | undefined;
}

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Where the search starts, what a relative `configFile` is resolved against, and what error messages are relative to. @default process.cwd() */
  cwd?: string;
  /** Load this file instead of searching. */
  configFile?: string;
  /** Variables for `${VAR}` substitution. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Options of {@link loadFlowMesh}. */
export interface LoadFlowMeshOptions extends LoadConfigOptions {
  /** A logger to use instead of the one `log` describes (a Fastify app's `app.log`, a silent one in tests). */
  logger?: Logger;
}

/** What {@link loadConfig} returns. */
export interface LoadedConfig {
  config: ResolvedConfig;
  /** Absolute path of the file the config came from (package.json for a `flowmesh` key). */
  configFile: string;
}

/** What {@link loadFlowMesh} returns. */
export interface LoadedFlowMesh extends LoadedConfig {
  /** The engine, the config's workflows registered; its worker starts on `ready()` or the first `start()`. */
  engine: FlowMesh;
  /** The workflows registered from the config, in config order. */
  workflows: RegisteredWorkflow[];
}
