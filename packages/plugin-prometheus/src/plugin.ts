/**
 * `prometheus()`: the plugin factory. Each engine gets its own registry (or
 * the one passed in), the event-fed task and run metrics, the scrape-time
 * gauges, the HTTP metrics and `/metrics` route when @flowmesh/server is
 * installed, and optionally a standalone listener.
 */
import { definePlugin, FlowMeshError, type FlowMeshPlugin, type PluginContext } from "@flowmesh/core";
import type { Registry, RegistryContentType } from "prom-client";
import { CircuitMetrics } from "./circuit-metrics.js";
import type { Collector } from "./collectors/collector.js";
import { negotiateFormat, renderMetrics, type Exposition } from "./exposition.js";
import { tapHttpHooks } from "./http-metrics.js";
import { startListener, type MetricsListener } from "./listener.js";
import { optionsSchema, type PrometheusOptions, type ResolvedPrometheusOptions } from "./options.js";
import { loadPromClient } from "./prom-client.js";
import { statsGauges } from "./stats-metrics.js";
import { TaskMetrics, type EventListeners } from "./task-metrics.js";

/** The plugin's name, as `dependencies` of other plugins refer to it. */
export const PLUGIN_NAME = "prometheus";

/** One engine's metrics, once the plugin is set up. */
export interface PrometheusMetrics {
  /** The registry holding every FlowMesh metric of this engine. */
  readonly registry: Registry<RegistryContentType>;
  /** Where the standalone listener listens, when `listen` is set. */
  readonly address: { readonly host: string; readonly port: number } | undefined;
  /** Renders a scrape for an `Accept` header: OpenMetrics when it prefers it, else the text format. */
  scrape(accept?: string | null): Promise<Exposition>;
}

/** A plugin instance; `metrics` is set once an engine has set it up, and cleared when that engine closes. */
export interface PrometheusPlugin extends FlowMeshPlugin {
  readonly metrics: PrometheusMetrics | undefined;
}

declare module "@flowmesh/core" {
  interface Capabilities {
    /** The engine's Prometheus registry and scrape function, for plugins that add metrics. */
    prometheus: PrometheusMetrics;
  }
}

/**
 * Prometheus metrics for one engine: `createFlowMesh({ plugins: [prometheus()] })`.
 * An instance serves one engine at a time: call `prometheus()` once per engine.
 */
export function prometheus(options?: PrometheusOptions): PrometheusPlugin {
  let current: PrometheusMetrics | undefined;
  const plugin = definePlugin({
    name: PLUGIN_NAME,
    version: "0.1.0",
    options: optionsSchema,
    async setup(ctx, resolved) {
      if (current !== undefined) {
        throw new FlowMeshError(
          "FM_ERR_PLUGIN",
          "[flowmesh] [plugin-prometheus] this prometheus() instance already serves another engine: call prometheus() once per engine",
          { details: { plugin: PLUGIN_NAME } },
        );
      }
      current = await setupMetrics(ctx, resolved, () => {
        current = undefined;
      });
    },
  })(options);
  return Object.defineProperty(plugin, "metrics", {
    get: () => current,
    enumerable: true,
  }) as PrometheusPlugin;
}

async function setupMetrics(
  ctx: PluginContext,
  options: ResolvedPrometheusOptions,
  released: () => void,
): Promise<PrometheusMetrics> {
  const client = await loadPromClient();
  const registry: Registry<RegistryContentType> = options.registry ?? new client.Registry();
  const registered: string[] = [];
  const register = (collector: Collector): void => {
    // prom-client's registry reads a metric through name, type and get(): ours implement exactly that.
    registry.registerMetric(collector as unknown as Parameters<Registry["registerMetric"]>[0]);
    registered.push(collector.name);
  };
  const listeners: EventListeners = {};
  let listener: MetricsListener | undefined;
  const cleanup = async (): Promise<void> => {
    for (const [event, fn] of Object.entries(listeners)) {
      ctx.events.off(event as keyof EventListeners, fn as never);
    }
    await listener?.close();
    // Leaves a shared registry as it was, so a new engine can register the same names again.
    for (const name of registered) registry.removeSingleMetric(name);
    released();
  };
  try {
    const tasks = new TaskMetrics({
      maxWorkflows: options.maxWorkflows,
      maxTasks: options.maxTasks,
      buckets: options.buckets,
    });
    for (const collector of tasks.collectors()) register(collector);
    Object.assign(listeners, tasks.listeners());
    const circuits = new CircuitMetrics(options.maxCircuits);
    register(circuits.state);
    listeners["circuit:state"] = circuits.onState;
    for (const gauge of statsGauges({ stats: () => ctx.stats(), logger: ctx.logger })) register(gauge);
    if (options.defaultMetrics) {
      const before = new Set(registry.getMetricsAsArray().map((metric) => metric.name));
      client.collectDefaultMetrics({ register: registry });
      for (const metric of registry.getMetricsAsArray())
        if (!before.has(metric.name)) registered.push(metric.name);
    }
    const scrape = (accept?: string | null): Promise<Exposition> =>
      renderMetrics(registry, negotiateFormat(accept));
    const http = await tapHttpHooks(
      ctx,
      client,
      registry,
      { route: options.route, path: options.path, buckets: options.buckets.http },
      scrape,
    );
    if (http !== undefined) registered.push(...http);
    if (options.listen !== undefined) {
      listener = await startListener({ ...options.listen, path: options.path }, scrape, ctx.logger);
    }
    for (const [event, fn] of Object.entries(listeners)) {
      ctx.events.on(event as keyof EventListeners, fn as never);
    }
    const metrics: PrometheusMetrics = { registry, address: listener?.address, scrape };
    ctx.provide("prometheus", metrics);
    ctx.onClose(cleanup);
    return metrics;
  } catch (error) {
    await cleanup();
    throw error;
  }
}
