/**
 * @flowmesh/plugin-prometheus — Prometheus metrics for FlowMesh engines, with
 * `/metrics` on the HTTP API or a standalone listener.
 */
export { prometheus, prometheus as default, PLUGIN_NAME } from "./plugin.js";
export type { PrometheusMetrics, PrometheusPlugin } from "./plugin.js";
export { optionsSchema } from "./options.js";
export type { PrometheusOptions, ResolvedPrometheusOptions } from "./options.js";
export { METRICS, OTHER } from "./catalog.js";
export type { MetricSpec, MetricType } from "./catalog.js";
export { CIRCUIT_STATE_VALUES } from "./circuit-metrics.js";
export {
  negotiateFormat,
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_CONTENT_TYPE,
  renderMetrics,
} from "./exposition.js";
export type { Exposition, ExpositionFormat } from "./exposition.js";
