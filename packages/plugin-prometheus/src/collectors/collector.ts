/**
 * The shape prom-client's `Registry` reads from a metric: a name, a type and
 * `get()`, which returns the current values. The plugin's hot-path metrics
 * implement it directly so that counting a task is a field increment, not a
 * label hash (prom-client's `inc`/`observe` cost several hundred ns each).
 */

/** Label names to values. */
export type Labels = Readonly<Record<string, string | number>>;

/** One sample, as prom-client's `get()` returns it. */
export interface Sample {
  value: number;
  labels: Labels;
  /** Set for the `_bucket`, `_sum` and `_count` samples of a histogram. */
  metricName?: string;
}

/** What `get()` resolves to; the registry renders it. */
export interface MetricSnapshot {
  name: string;
  help: string;
  type: "counter" | "gauge" | "histogram";
  aggregator: "sum";
  values: Sample[];
}

/** A metric prom-client's registry can hold (`registerMetric`). */
export interface Collector {
  name: string;
  readonly help: string;
  readonly type: "counter" | "gauge" | "histogram";
  readonly aggregator: "sum";
  get(): Promise<MetricSnapshot>;
  /** Zeroes every series (`registry.resetMetrics()`). */
  reset(): void;
}
