/**
 * The config is optional for the CLI: with none in the working directory (or
 * its parents up to the project root) and no `--config`, commands run with
 * in-memory defaults. A config that exists but is broken is still an error.
 */
import { FlowMeshError, loadConfig, type LoadedConfig } from "@flowmesh/core";

/** The config, or undefined when none exists and none was asked for. */
export async function loadOptionalConfig(
  cwd: string,
  configFile: string | undefined,
): Promise<LoadedConfig | undefined> {
  try {
    return await loadConfig({ cwd, ...(configFile === undefined ? {} : { configFile }) });
  } catch (error) {
    if (configFile === undefined && isNoConfigFound(error)) return undefined;
    throw error;
  }
}

/** core's "no config found" error: the only config error that names the search folder and no file. */
export function isNoConfigFound(error: unknown): boolean {
  return (
    error instanceof FlowMeshError &&
    error.code === "FM_ERR_INVALID_OPTIONS" &&
    error.details !== undefined &&
    "cwd" in error.details &&
    !("configFile" in error.details)
  );
}
