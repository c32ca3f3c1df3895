import { z } from "zod";
import { FlowMeshError } from "../errors.js";
import { collectIssues } from "../model/issues.js";
import type { FlowMeshPlugin, PluginContext, PluginDefinition, PluginFactory } from "./types.js";

/**
 * Declares a plugin and returns its factory: `const redis = definePlugin({...})`,
 * then `createFlowMesh({ plugins: [redis({ url })] })`. Options are validated
 * against the schema when the engine starts; errors name the plugin and path.
 */
export function definePlugin<S extends z.ZodType | undefined = undefined>(
  definition: PluginDefinition<S>,
): PluginFactory<S> {
  if (typeof definition.name !== "string" || definition.name.length === 0) {
    throw new FlowMeshError("FM_ERR_PLUGIN", "definePlugin: a plugin needs a non-empty name");
  }
  const factory = (raw?: unknown): FlowMeshPlugin => ({
    name: definition.name,
    version: definition.version,
    enforce: definition.enforce,
    dependencies: definition.dependencies ?? [],
    apply(ctx: PluginContext) {
      const options = parseOptions(definition, raw);
      return definition.setup(ctx, options as Parameters<PluginDefinition<S>["setup"]>[1]);
    },
  });
  return factory as PluginFactory<S>;
}

function parseOptions<S extends z.ZodType | undefined>(
  definition: PluginDefinition<S>,
  raw: unknown,
): unknown {
  const schema = definition.options;
  if (schema === undefined) return undefined;
  // `plugin()` with no argument means "all defaults", also for object schemas that reject undefined.
  const parsed =
    raw === undefined && schema instanceof z.ZodObject ? schema.safeParse({}) : schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = collectIssues(parsed.error.issues);
  throw new FlowMeshError(
    "FM_ERR_INVALID_OPTIONS",
    `plugin "${definition.name}": ${issues.map((i) => `option "${i.path || "(root)"}": ${i.message}`).join("; ")}`,
    { details: { plugin: definition.name, issues } },
  );
}
