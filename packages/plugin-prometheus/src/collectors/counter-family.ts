import type { Collector, Labels, MetricSnapshot, Sample } from "./collector.js";

/** One label set's count: callers keep it and bump `value` directly. */
export class CounterCell {
  value = 0;
  constructor(readonly labels: Labels) {}
}

/**
 * A labelled counter (or gauge) whose series are cells created once and then
 * changed without lookups.
 */
export class CounterFamily implements Collector {
  readonly aggregator = "sum";
  private readonly cells: CounterCell[] = [];

  constructor(
    public name: string,
    readonly help: string,
    readonly type: "counter" | "gauge" = "counter",
  ) {}

  /** A new series; it is exported (at 0) from now on. */
  cell(labels: Labels): CounterCell {
    const cell = new CounterCell(labels);
    this.cells.push(cell);
    return cell;
  }

  get(): Promise<MetricSnapshot> {
    const values: Sample[] = this.cells.map((cell) => ({ value: cell.value, labels: cell.labels }));
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: "sum", values });
  }

  reset(): void {
    for (const cell of this.cells) cell.value = 0;
  }
}
