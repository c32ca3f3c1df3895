/** `flowmesh_circuit_breaker_state`, fed by the `circuit:state` events of @flowmesh/plugin-resilience. */
import type { FlowMeshEventMap } from "@flowmesh/core";
import { METRICS } from "./catalog.js";
import { CappedSeries, LabelBudget } from "./collectors/capped-series.js";
import { CounterFamily, type CounterCell } from "./collectors/counter-family.js";

/** Gauge values: higher is worse, so `max()` across processes shows the worst state. */
export const CIRCUIT_STATE_VALUES = { closed: 0, half_open: 1, open: 2 } as const;

export class CircuitMetrics {
  readonly state = new CounterFamily(
    METRICS.circuitBreakerState.name,
    METRICS.circuitBreakerState.help,
    "gauge",
  );
  private readonly byName: CappedSeries<CounterCell>;

  constructor(maxCircuits: number) {
    this.byName = new CappedSeries(new LabelBudget(maxCircuits), (name) => this.state.cell({ name }));
  }

  readonly onState = (event: FlowMeshEventMap["circuit:state"]): void => {
    this.byName.get(event.name).value = CIRCUIT_STATE_VALUES[event.state];
  };
}
