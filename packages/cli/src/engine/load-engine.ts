/**
 * The engine a command runs: the config file's (when there is one) or an
 * in-memory engine with defaults (when there is none), logging to stderr,
 * with `moduleHandlers()` installed so `handler: ./tasks/x.mjs#fn` works
 * without listing a plugin.
 */
import { dirname, relative, isAbsolute } from "node:path";
import {
  createFlowMesh,
  FlowMeshError,
  moduleHandlers,
  registerWorkflowFile,
  type FlowMesh,
  type FlowMeshOptions,
  type FlowMeshPlugin,
  type Logger,
  type LogLevel,
  type RegisteredWorkflow,
  type ResolvedConfig,
} from "@flowmesh/core";
import type { GlobalOptions } from "../global-options.js";
import { createCliLogger, pickLogLevel } from "./cli-logger.js";
import { loadOptionalConfig } from "./optional-config.js";

/** Options of {@link loadEngine}. */
export interface LoadEngineOptions {
  /** Where the config search starts and what paths are relative to. */
  cwd: string;
  /** `--config` and `--log-level`. */
  global: GlobalOptions;
  /** Level when neither `--log-level`, the config nor `FLOWMESH_LOG_LEVEL` sets one. */
  defaultLogLevel: LogLevel;
  /** Register the workflows the config lists (serve, worker, `run <name>`). */
  registerConfigWorkflows: boolean;
  /** Engine options from flags; they win over the config's. */
  overrides?: Pick<FlowMeshOptions, "concurrency" | "worker">;
  /** Where logs go (the TTY view passes a stream that prints above its frame). @default process.stderr */
  logDestination?: NodeJS.WritableStream;
}

/** What {@link loadEngine} returns. */
export interface CliEngine {
  engine: FlowMesh;
  logger: Logger;
  /** The config file loaded, or undefined when none was found (in-memory defaults). */
  configFile: string | undefined;
  config: ResolvedConfig | undefined;
  /** Workflows registered from the config. */
  workflows: RegisteredWorkflow[];
}

/** Name of core's module-handlers plugin: the CLI adds one unless the config does. */
const MODULE_HANDLERS = "flowmesh:module-handlers";

/**
 * Loads the config (if any), creates the engine and registers the config's
 * workflows when asked. The worker is not started: the command calls
 * `engine.ready()` (or `start()`) once everything it runs is registered.
 */
export async function loadEngine(options: LoadEngineOptions): Promise<CliEngine> {
  const { cwd, global } = options;
  const loaded = await loadOptionalConfig(cwd, global.config);
  const config = loaded?.config;
  const configFile = loaded?.configFile;
  const level = pickLogLevel({
    flag: global.logLevel,
    config: config?.log.level,
    env: process.env.FLOWMESH_LOG_LEVEL,
    fallback: options.defaultLogLevel,
  });
  const logger = createCliLogger(level, options.logDestination);
  // Handler modules may live anywhere in the project: the config's folder, else the working directory.
  const handlerRoot = configFile === undefined ? cwd : dirname(configFile);
  const engine = createFlowMesh(engineOptions(config, logger, handlerRoot, options.overrides));
  try {
    const workflows: RegisteredWorkflow[] = [];
    if (options.registerConfigWorkflows && config !== undefined && configFile !== undefined) {
      for (const workflow of config.workflows) {
        workflows.push(await registerConfigWorkflow(engine, workflow, configFile, cwd));
      }
    }
    return { engine, logger, configFile, config, workflows };
  } catch (error) {
    await engine.close().catch(() => undefined);
    throw error;
  }
}

function engineOptions(
  config: ResolvedConfig | undefined,
  logger: Logger,
  handlerRoot: string,
  overrides: LoadEngineOptions["overrides"] = {},
): FlowMeshOptions {
  const backend = config?.backend;
  const backendPlugin = isPlugin(backend) ? backend : undefined;
  const plugins: FlowMeshPlugin[] = [
    // The backend plugin sets up first, so other plugins can `use("backend")`.
    ...(backendPlugin === undefined ? [] : [backendPlugin]),
    ...(config?.plugins ?? []),
  ];
  if (!plugins.some((plugin) => plugin.name === MODULE_HANDLERS)) {
    plugins.push(moduleHandlers({ root: handlerRoot }));
  }
  return {
    ...config?.engine,
    ...overrides,
    plugins,
    logger,
    ...(backend === undefined || isPlugin(backend) ? {} : { backend }),
  };
}

function isPlugin(value: unknown): value is FlowMeshPlugin {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { name?: unknown }).name === "string" &&
    typeof (value as { apply?: unknown }).apply === "function"
  );
}

/** A file entry is registered from its file (errors get file:line:col); an inline one is named by its config entry. */
async function registerConfigWorkflow(
  engine: FlowMesh,
  workflow: ResolvedConfig["workflows"][number],
  configFile: string,
  cwd: string,
): Promise<RegisteredWorkflow> {
  // The path is read from the process's folder, and shown in errors as users typed it.
  if (workflow.source !== configFile) {
    return registerWorkflowFile(engine, displayPath(workflow.source, process.cwd()));
  }
  try {
    return await engine.register(workflow.definition, { source: configFile });
  } catch (error) {
    if (!(error instanceof FlowMeshError)) throw error;
    throw new FlowMeshError(
      error.code,
      `${displayPath(configFile, cwd)} ${workflow.entry}: ${error.message.replace(/^\[flowmesh\] /, "")}`,
      { cause: error, details: { ...error.details, file: configFile, entry: workflow.entry } },
    );
  }
}

/** A path relative to the working directory when it is inside it (what users typed), else absolute. */
export function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel === "" || isAbsolute(rel) || rel.startsWith("..") ? file : rel;
}
