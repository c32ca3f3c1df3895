/**
 * `loadFlowMesh()`: the engine a config file describes, its workflows
 * registered. Registering sets the plugins up and connects the backend, so
 * their errors surface here; the worker starts on `ready()` or the first
 * `start()`, after any workflows the app registers in code.
 */
import { createFlowMesh, type FlowMesh } from "../engine/engine.js";
import type { FlowMeshOptions } from "../engine/options.js";
import type { RegisteredWorkflow } from "../engine/registry.js";
import { FlowMeshError } from "../errors.js";
import { createLogger } from "../logger.js";
import { displayPath } from "./config-source.js";
import { loadConfig } from "./load-config.js";
import { isPluginInstance } from "./schema.js";
import type { ConfigWorkflow, LoadedFlowMesh, LoadFlowMeshOptions, ResolvedConfig } from "./types.js";

/** Codes of errors about a workflow's definition: they get the file's name in front. */
const DEFINITION_CODES = new Set(["FM_ERR_INVALID_DEFINITION", "FM_ERR_CYCLE", "FM_ERR_UNRESOLVED_HANDLER"]);

/**
 * Loads the config (see {@link loadConfig}), creates the engine and registers
 * the config's workflows. If anything fails after the engine was created, it
 * is closed before the error is thrown.
 *
 * ```ts
 * const { engine } = await loadFlowMesh();
 * const run = await engine.start("nightly-etl", { day: "2025-01-31" });
 * ```
 */
export async function loadFlowMesh(options: LoadFlowMeshOptions = {}): Promise<LoadedFlowMesh> {
  const { config, configFile } = await loadConfig(options);
  const engine = createFlowMesh(engineOptions(config, options));
  try {
    const workflows: RegisteredWorkflow[] = [];
    for (const workflow of config.workflows) {
      workflows.push(await register(engine, workflow, configFile, options.cwd ?? process.cwd()));
    }
    return { engine, config, configFile, workflows };
  } catch (error) {
    await engine.close().catch(() => undefined);
    throw error;
  }
}

function engineOptions(config: ResolvedConfig, options: LoadFlowMeshOptions): FlowMeshOptions {
  const backend = config.backend;
  const logger =
    options.logger ??
    (config.log.level === undefined ? undefined : createLogger({ level: config.log.level }));
  return {
    ...config.engine,
    // The backend plugin sets up first, so other plugins can `use("backend")`.
    plugins: isPluginInstance(backend) ? [backend, ...config.plugins] : config.plugins,
    ...(backend === undefined || isPluginInstance(backend) ? {} : { backend }),
    ...(logger === undefined ? {} : { logger }),
  };
}

async function register(
  engine: FlowMesh,
  workflow: ConfigWorkflow,
  configFile: string,
  cwd: string,
): Promise<RegisteredWorkflow> {
  try {
    return await engine.register(workflow.definition, { source: workflow.source });
  } catch (error) {
    if (!(error instanceof FlowMeshError) || !DEFINITION_CODES.has(error.code)) throw error;
    // A file's problems are the file's; an inline definition's are the config entry's.
    const where =
      workflow.source === configFile
        ? `${displayPath(configFile, cwd)} ${workflow.entry}`
        : displayPath(workflow.source, cwd);
    throw new FlowMeshError(error.code, `${where}: ${error.message.replace(/^\[flowmesh\] /, "")}`, {
      cause: error,
      details: { ...error.details, file: workflow.source, entry: workflow.entry },
    });
  }
}
