/** The plugin API: what a plugin is, and the scoped context its `setup` receives. */
import type { z } from "zod";
import type { Coordinator, RunStore } from "../backend/types.js";
import type { EngineStats } from "../engine/stats.js";
import type { FlowMeshEmitter } from "../events.js";
import type { HookRegistry } from "../hooks/types.js";
import type { Logger } from "../logger.js";

/**
 * Capabilities plugins provide and use. Augment it to add one:
 * `declare module "@flowmesh/core" { interface Capabilities { metricsRegistry: Registry } }`.
 */
export interface Capabilities {
  /** Where runs live and how work is shared. One provider at most. */
  backend: Coordinator | RunStore;
  /**
   * A Redis connection shared by the Redis backend, so other plugins (shared
   * rate limits, circuit breakers) keep their state in the same Redis.
   */
  redis: SharedRedis;
  /** Whoever applies tasks' named `policies` (the resilience plugin); without one, core warns that they are ignored. */
  taskPolicies: TaskPolicyProvider;
}

/** Applies named task policies; see the `taskPolicies` capability. */
export interface TaskPolicyProvider {
  /** True when a policy of this name is declared. */
  has(name: string): boolean;
}

/** The Redis connection the Redis plugin shares through the `redis` capability. */
export interface SharedRedis {
  /** An ioredis `Redis` (or `Cluster`) client; cast it with your own ioredis import. */
  readonly client: unknown;
  /** Prefix for every key, ending in `:`; put your plugin's name after it. */
  readonly keyPrefix: string;
}

type HookFn<H> = H extends { tap(options: string, fn: infer F): void } ? F : never;
type HookPromiseFn<H> = H extends { tapPromise(options: string, fn: infer F): void } ? F : never;

/** A hook as a plugin sees it: taps carry the plugin's name and its `enforce` order. */
export interface ScopedHook<H> {
  tap(fn: HookFn<H>): void;
  tapPromise(fn: HookPromiseFn<H>): void;
}

/** Scoped hooks: the registry's hooks, tapped in the plugin's name. */
export type ScopedHooks = { [K in keyof HookRegistry]: ScopedHook<HookRegistry[K]> };

/** What `setup` receives: scoped, never the whole engine. */
export interface PluginContext {
  /** The plugin's name. */
  readonly name: string;
  readonly hooks: ScopedHooks;
  /** Observe-only events. */
  readonly events: FlowMeshEmitter;
  /** A child logger with `plugin` set. */
  readonly logger: Logger;
  /** Provides a capability; a second provider of the same capability fails the start. */
  provide<K extends keyof Capabilities>(key: K, value: Capabilities[K]): void;
  /** A capability provided by another plugin (set up earlier), if any. */
  use<K extends keyof Capabilities>(key: K): Capabilities[K] | undefined;
  /** Adds hook instances for a new surface (see {@link HookRegistry}). */
  extendHooks(hooks: Partial<HookRegistry>): void;
  /** Registers cleanup run when the engine closes (after draining), in reverse setup order. */
  onClose(fn: () => void | Promise<void>): void;
  /**
   * The engine's load figures (queue depth, active runs, worker slots), read
   * when called. Call it later (a metrics scrape), not during `setup`: it
   * waits until the engine has finished starting.
   */
  stats(): Promise<EngineStats>;
}

/** A plugin instance, as listed in `createFlowMesh({ plugins })`. Made by a factory from {@link definePlugin}. */
export interface FlowMeshPlugin {
  readonly name: string;
  readonly version: string | undefined;
  readonly enforce: "pre" | "post" | undefined;
  /** Names of plugins that must also be installed. */
  readonly dependencies: readonly string[];
  /** Validates options and runs the plugin's setup. */
  apply(ctx: PluginContext): void | Promise<void>;
}

/** A plugin's declaration. */
export interface PluginDefinition<S extends z.ZodType | undefined> {
  name: string;
  version?: string;
  /** `pre` plugins set up (and tap) before normal ones, `post` after. */
  enforce?: "pre" | "post";
  dependencies?: string[];
  /** zod schema for the options: users pass `z.input`, `setup` receives `z.output`. */
  options?: S;
  setup(ctx: PluginContext, options: S extends z.ZodType ? z.output<S> : undefined): void | Promise<void>;
}

/** The factory {@link definePlugin} returns. */
export type PluginFactory<S extends z.ZodType | undefined> = S extends z.ZodType
  ? undefined extends z.input<S>
    ? (options?: z.input<S>) => FlowMeshPlugin
    : // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- "every option is optional"
      {} extends z.input<S>
      ? (options?: z.input<S>) => FlowMeshPlugin
      : (options: z.input<S>) => FlowMeshPlugin
  : () => FlowMeshPlugin;
