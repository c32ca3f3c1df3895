/**
 * Sets plugins up in order (`enforce: "pre"`, then normal, then `"post"`;
 * list order within each), each with a scoped context. Duplicate names,
 * missing dependencies and duplicate capability providers fail the start.
 */
import {
  AsyncParallelBailHook,
  AsyncParallelHook,
  AsyncSeriesBailHook,
  AsyncSeriesHook,
  AsyncSeriesLoopHook,
  AsyncSeriesWaterfallHook,
} from "tapable";
import { FlowMeshError } from "../errors.js";
import type { FlowMeshEmitter } from "../events.js";
import { wrapTapErrors, type HookLike } from "../hooks/create-hooks.js";
import type { HookRegistry } from "../hooks/types.js";
import type { EngineStats } from "../engine/stats.js";
import type { Logger } from "../logger.js";
import type { Capabilities, FlowMeshPlugin, PluginContext, ScopedHook, ScopedHooks } from "./types.js";

export interface PluginHost {
  readonly hooks: HookRegistry;
  readonly events: FlowMeshEmitter;
  readonly logger: Logger;
  /** Capabilities provided so far, with the provider's name. */
  readonly capabilities: Map<keyof Capabilities, { value: unknown; provider: string }>;
  /** Cleanups in setup order; the engine runs them in reverse. */
  readonly cleanups: { plugin: string; fn: () => void | Promise<void> }[];
  /** The engine's load figures (see `FlowMesh.stats`). */
  readonly stats: () => Promise<EngineStats>;
}

const ORDER = { pre: 0, normal: 1, post: 2 } as const;

/** Orders plugins by `enforce`, keeping list order within a group. */
export function orderPlugins(plugins: readonly FlowMeshPlugin[]): FlowMeshPlugin[] {
  return plugins
    .map((plugin, i) => ({ plugin, i }))
    .sort((a, b) => ORDER[a.plugin.enforce ?? "normal"] - ORDER[b.plugin.enforce ?? "normal"] || a.i - b.i)
    .map(({ plugin }) => plugin);
}

/** Checks names and dependencies, then runs every setup in order. */
export async function setupPlugins(plugins: readonly FlowMeshPlugin[], host: PluginHost): Promise<void> {
  const names = new Set<string>();
  for (const plugin of plugins) {
    if (names.has(plugin.name)) {
      throw new FlowMeshError("FM_ERR_PLUGIN", `plugin "${plugin.name}" is installed twice`, {
        details: { plugin: plugin.name },
      });
    }
    names.add(plugin.name);
  }
  for (const plugin of plugins) {
    const missing = plugin.dependencies.filter((d) => !names.has(d));
    if (missing.length > 0) {
      throw new FlowMeshError(
        "FM_ERR_PLUGIN",
        `plugin "${plugin.name}" needs ${missing.map((m) => `"${m}"`).join(", ")}, which ${missing.length === 1 ? "is" : "are"} not installed`,
        { details: { plugin: plugin.name, missing } },
      );
    }
  }
  for (const plugin of orderPlugins(plugins)) {
    try {
      await plugin.apply(createContext(plugin, host));
    } catch (error) {
      if (error instanceof FlowMeshError) throw error;
      throw new FlowMeshError(
        "FM_ERR_PLUGIN",
        `plugin "${plugin.name}" failed in setup: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error, details: { plugin: plugin.name } },
      );
    }
  }
}

function createContext(plugin: FlowMeshPlugin, host: PluginHost): PluginContext {
  const scoped = {} as Record<string, ScopedHook<unknown>>;
  const scope = (name: string, hook: unknown): void => {
    const h = hook as { tap(o: object, fn: unknown): void; tapPromise(o: object, fn: unknown): void };
    const tapAs = { name: plugin.name };
    const async = isAsyncHook(hook);
    scoped[name] = {
      // On an async hook, a tapped function may return a promise: tap it as one so it is awaited
      // and its rejection is wrapped with the plugin's name like any other error.
      tap: (fn: unknown) =>
        async
          ? h.tapPromise(tapAs, (...args: unknown[]) =>
              Promise.resolve((fn as (...a: unknown[]) => unknown)(...args)),
            )
          : h.tap(tapAs, fn),
      tapPromise: (fn: unknown) => {
        if (!async) {
          throw new FlowMeshError(
            "FM_ERR_PLUGIN",
            `plugin "${plugin.name}": hook "${name}" is synchronous, use tap() instead of tapPromise()`,
            { details: { plugin: plugin.name, hook: name } },
          );
        }
        h.tapPromise(tapAs, fn);
      },
    };
  };
  for (const [name, hook] of Object.entries(host.hooks)) scope(name, hook);
  return {
    name: plugin.name,
    hooks: scoped as unknown as ScopedHooks,
    events: host.events,
    logger: host.logger.child({ plugin: plugin.name }),
    provide(key, value) {
      const existing = host.capabilities.get(key);
      if (existing !== undefined) {
        throw new FlowMeshError(
          "FM_ERR_PLUGIN",
          `plugin "${plugin.name}" provides "${key}", already provided by "${existing.provider}": install only one`,
          { details: { plugin: plugin.name, capability: key, provider: existing.provider } },
        );
      }
      host.capabilities.set(key, { value, provider: plugin.name });
    },
    use(key) {
      return host.capabilities.get(key)?.value as Capabilities[typeof key] | undefined;
    },
    extendHooks(hooks) {
      for (const [name, hook] of Object.entries(hooks)) {
        if (name in host.hooks) {
          throw new FlowMeshError(
            "FM_ERR_PLUGIN",
            `plugin "${plugin.name}" adds hook "${name}", which already exists`,
            {
              details: { plugin: plugin.name, hook: name },
            },
          );
        }
        wrapTapErrors(name, hook as HookLike);
        (host.hooks as unknown as Record<string, unknown>)[name] = hook;
        scope(name, hook);
      }
    },
    onClose(fn) {
      host.cleanups.push({ plugin: plugin.name, fn });
    },
    stats: host.stats,
  };
}

/** tapable's async hook factories (each hook records its factory as `constructor`). */
const ASYNC_HOOKS: ReadonlySet<unknown> = new Set([
  AsyncSeriesHook,
  AsyncSeriesBailHook,
  AsyncSeriesWaterfallHook,
  AsyncSeriesLoopHook,
  AsyncParallelHook,
  AsyncParallelBailHook,
]);

/** Sync hooks throw on tapPromise; async ones accept it. */
function isAsyncHook(hook: unknown): boolean {
  return typeof hook === "object" && hook !== null && ASYNC_HOOKS.has(hook.constructor);
}
