import { OTHER } from "../catalog.js";

/** How many distinct label values a group of {@link CappedSeries} may still create. */
export class LabelBudget {
  constructor(public remaining: number) {}
}

/**
 * Series keyed by one label value. Past the budget, every new value shares
 * one `__other__` series, so a workflow generated per customer cannot grow
 * the exposition without bound. Overflowing values are not remembered either.
 */
export class CappedSeries<T> {
  private readonly byValue = new Map<string, T>();
  private other: T | undefined;
  private lastValue: string | undefined;
  private lastSeries: T | undefined;

  /** `remember`: check the last answer first (worth it where consecutive lookups repeat a value). */
  constructor(
    private readonly budget: LabelBudget,
    private readonly create: (value: string) => T,
    private readonly remember = false,
  ) {}

  get(value: string): T {
    if (!this.remember) return this.byValue.get(value) ?? this.miss(value);
    if (value === this.lastValue) return this.lastSeries!;
    const series = this.byValue.get(value) ?? this.miss(value);
    this.lastValue = value;
    this.lastSeries = series;
    return series;
  }

  private miss(value: string): T {
    if (this.budget.remaining <= 0) return (this.other ??= this.create(OTHER));
    this.budget.remaining--;
    const series = this.create(value);
    this.byValue.set(value, series);
    return series;
  }
}
