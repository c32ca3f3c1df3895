import type { FlowMeshConfig } from "./types.js";

/**
 * Types a `flowmesh.config.ts` (or `.mts`, `.mjs`, `.js`): plugins are
 * imported factories, called with their options, and unknown keys fail to
 * compile. Returns the config unchanged.
 *
 * ```ts
 * export default defineConfig({ plugins: [redis({ url: process.env.REDIS_URL })] });
 * ```
 */
export function defineConfig(config: FlowMeshConfig): FlowMeshConfig {
  return config;
}
