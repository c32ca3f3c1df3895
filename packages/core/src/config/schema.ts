/**
 * The config file's schema. Engine options are checked by the engine's own
 * validation (`resolveOptions`) so both read the same, and every issue of
 * both is reported at once, with its path in the config.
 */
import { z } from "zod";
import type { Coordinator, RunStore } from "../backend/types.js";
import { resolveOptions } from "../engine/options.js";
import { collectIssues, defaultMessage, describe } from "../model/issues.js";
import type { FlowMeshPlugin } from "../plugins/types.js";
import type { ConfigIssue } from "./config-source.js";
import type { ConfigEngineOptions, FlowMeshConfig, LogLevel, PluginEntry, ServerConfig } from "./types.js";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
const ENGINE_KEYS = ["concurrency", "worker", "lease", "sweepInterval", "drainTimeout", "workerId"] as const;

/** A config after validation: entries still unresolved, engine options as given. */
export interface ValidConfig {
  backend: PluginEntry | Coordinator | RunStore | undefined;
  /** Entries with their raw path (`plugins[2]`); skipped (`false`, `null`) entries are left out. */
  plugins: { entry: PluginEntry; path: string }[];
  workflows: { entry: string | object; path: string }[];
  log: { level?: LogLevel };
  engine: ConfigEngineOptions;
  server: ServerConfig | undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null;

export const isPluginInstance = (value: unknown): value is FlowMeshPlugin =>
  isObject(value) && typeof value.name === "string" && typeof value.apply === "function";

const isBackendInstance = (value: unknown): value is Coordinator | RunStore =>
  isObject(value) &&
  (typeof value.claim === "function" ||
    (typeof value.save === "function" && typeof value.get === "function"));

const specifier = z.string().min(1, { error: "expected a package name or a path, received an empty string" });
const tuple = z.tuple([specifier, z.unknown().optional()], {
  error: (iss) =>
    iss.code === "too_big"
      ? `expected [specifier, options], received ${describe(iss.input)} with more items`
      : undefined,
});
const pluginInstance = z.custom<FlowMeshPlugin>(isPluginInstance);
const entryError = (what: string) => (iss: { input?: unknown }) =>
  `expected ${what}, received ${describe(iss.input)}`;
// `false`, `null` and `undefined` are skipped: `plugins: [process.env.CI && otel()]`.
const skipped = z.custom<false | null | undefined>((v) => v === false || v === null || v === undefined);
const pluginEntry = z.union([specifier, tuple, pluginInstance, skipped], {
  error: entryError('a plugin: a package name or path, a ["name", { options }] tuple, or a plugin instance'),
});
const backendEntry = z.union([specifier, tuple, pluginInstance, z.custom(isBackendInstance)], {
  error: entryError(
    'a backend plugin (a package name or path, a ["name", { options }] tuple, a plugin instance) or a Coordinator or RunStore',
  ),
});
const pattern = z.string().min(1, { error: "expected a file path or glob, received an empty string" });
const workflowEntry = z.union([pattern, z.custom<object>((v) => isObject(v) && !Array.isArray(v))], {
  error: entryError("a workflow file path or glob, or a workflow definition"),
});

const shape = {
  $schema: z.string().optional(),
  backend: backendEntry.optional(),
  plugins: z.array(pluginEntry).optional(),
  workflows: z.union([pattern, z.array(workflowEntry)]).optional(),
  log: z
    .strictObject(
      {
        level: z
          .enum(LOG_LEVELS, {
            error: (iss) => `expected one of ${LOG_LEVELS.join(", ")}, received ${describe(iss.input)}`,
          })
          .optional(),
      },
      { error: unknownKey(["level"]) },
    )
    .optional(),
  server: z
    .record(z.string(), z.unknown(), {
      error: (iss) => `expected an object of server settings, received ${describe(iss.input)}`,
    })
    .optional(),
  // Checked by the engine's own options schema below.
  ...Object.fromEntries(ENGINE_KEYS.map((key) => [key, z.unknown().optional()])),
};

const configSchema = z.strictObject(shape, { error: unknownKey(Object.keys(shape)) });

/** Validates a config; returns every issue with its raw path (tuple indices and all). */
export function validateConfig(raw: unknown): { config: ValidConfig } | { issues: ConfigIssue[] } {
  if (!isObject(raw) || Array.isArray(raw)) {
    return { issues: [{ path: "", message: `expected an object of settings, received ${describe(raw)}` }] };
  }
  const parsed = configSchema.safeParse(raw, { error: defaultMessage });
  const issues = parsed.success ? [] : collectIssues(parsed.error.issues);
  const engine = engineOptions(raw);
  issues.push(...engineIssues(engine));
  if (!parsed.success || issues.length > 0) return { issues };
  const data = parsed.data as FlowMeshConfig;
  const workflows = data.workflows === undefined ? [] : [data.workflows].flat();
  const workflowPath = (i: number) => (Array.isArray(data.workflows) ? `workflows[${i}]` : "workflows");
  return {
    config: {
      backend: data.backend,
      plugins: (data.plugins ?? []).flatMap((entry, index) =>
        entry === false || entry === null || entry === undefined
          ? []
          : [{ entry, path: `plugins[${index}]` }],
      ),
      workflows: workflows.map((entry, i) => ({ entry, path: workflowPath(i) })),
      log: data.log ?? {},
      engine,
      server: data.server,
    },
  };
}

/**
 * The engine options a config sets. Numbers and booleans are accepted as
 * strings too, so `concurrency: ${WORKERS:-10}` works in YAML.
 */
function engineOptions(raw: Record<string, unknown>): ConfigEngineOptions {
  const out: Record<string, unknown> = {};
  for (const key of ENGINE_KEYS) {
    let value = raw[key];
    if (value === undefined) continue;
    if (key === "concurrency" && typeof value === "string" && /^\d+$/.test(value.trim()))
      value = Number(value);
    if (key === "worker" && (value === "true" || value === "false")) value = value === "true";
    out[key] = value;
  }
  return out;
}

function engineIssues(options: ConfigEngineOptions): ConfigIssue[] {
  try {
    resolveOptions(options);
    return [];
  } catch (error) {
    const issues = (error as { details?: { issues?: ConfigIssue[] } }).details?.issues;
    if (issues === undefined) throw error;
    return issues;
  }
}

function unknownKey(allowed: readonly string[]) {
  return (iss: { code?: string }) =>
    iss.code === "unrecognized_keys" ? `unknown key (expected one of: ${allowed.join(", ")})` : undefined;
}
