import type { Collector, Labels, MetricSnapshot, Sample } from "./collector.js";

/** One label set's histogram: a count per bucket (not cumulative; the last is +Inf), sum and count. */
export class HistogramCell {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Labels,
    private readonly bounds: Float64Array,
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  /** Records one value. Buckets are inclusive upper bounds (`le`), as Prometheus defines them. */
  observe(value: number): void {
    const bounds = this.bounds;
    const n = bounds.length;
    let i = 0;
    while (i < n && value > bounds[i]!) i++;
    this.counts[i] = this.counts[i]! + 1;
    this.sum += value;
    this.count++;
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}

/** A labelled histogram whose series are cells created once and then observed without lookups. */
export class HistogramFamily implements Collector {
  readonly type = "histogram";
  readonly aggregator = "sum";
  private readonly cells: HistogramCell[] = [];
  private readonly bounds: Float64Array;

  constructor(
    public name: string,
    readonly help: string,
    buckets: readonly number[],
  ) {
    this.bounds = Float64Array.from(buckets);
  }

  /** A new series; it is exported (empty) from now on. */
  cell(labels: Labels): HistogramCell {
    const cell = new HistogramCell(labels, this.bounds);
    this.cells.push(cell);
    return cell;
  }

  get(): Promise<MetricSnapshot> {
    const values: Sample[] = [];
    const bucket = `${this.name}_bucket`;
    for (const cell of this.cells) {
      let cumulative = 0;
      for (let i = 0; i <= this.bounds.length; i++) {
        cumulative += cell.counts[i]!;
        const le = i < this.bounds.length ? this.bounds[i]! : "+Inf";
        values.push({ value: cumulative, labels: { ...cell.labels, le }, metricName: bucket });
      }
      values.push({ value: cell.sum, labels: cell.labels, metricName: `${this.name}_sum` });
      values.push({ value: cell.count, labels: cell.labels, metricName: `${this.name}_count` });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: "sum", values });
  }

  reset(): void {
    for (const cell of this.cells) cell.reset();
  }
}
