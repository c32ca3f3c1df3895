import type { Collector, MetricSnapshot, Sample } from "./collector.js";

/** A gauge whose samples are read when scraped; a read may return none (the series disappear). */
export class ScrapeGauge implements Collector {
  readonly type = "gauge";
  readonly aggregator = "sum";

  constructor(
    public name: string,
    readonly help: string,
    private readonly read: () => Promise<Sample[]>,
  ) {}

  async get(): Promise<MetricSnapshot> {
    const values = await this.read();
    return { name: this.name, help: this.help, type: this.type, aggregator: "sum", values };
  }

  reset(): void {
    // Nothing is stored: every scrape reads afresh.
  }
}
