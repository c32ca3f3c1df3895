/** Issue 4's goals: ≥1.5× BullMQ on (a) at c=100 and on (b); p99 on (c) no worse. */
import type { Goal } from "../common/goals.js";
import {
  FLOWMESH,
  flowsPerSec,
  processRate,
  totalRate,
  type BatchRow,
  type FlowRow,
  type LatencyRow,
} from "../common/scenarios.js";
import { ms } from "../common/table.js";

const BULLMQ_KEEP = "BullMQ keep completed";
const TARGET = 1.5;

export function redisGoals(
  batch: readonly BatchRow[],
  flows: readonly FlowRow[],
  latency: readonly LatencyRow[],
): Goal[] {
  const goals: Goal[] = [];
  const at100 = (system: string) => batch.find((r) => r.concurrency === 100 && r.system === system)?.result;
  const fm = at100(FLOWMESH);
  const bull = at100(BULLMQ_KEEP);
  if (batch.length > 0) {
    goals.push(
      ratioGoal("(a) c=100 process jobs/s ÷ BullMQ (keep)", fm && processRate(fm), bull && processRate(bull)),
    );
    goals.push(
      ratioGoal("(a) c=100 enqueue+process ÷ BullMQ (keep)", fm && totalRate(fm), bull && totalRate(bull)),
    );
  }
  if (flows.length > 0) {
    const f = flows.find((r) => r.system === FLOWMESH)?.throughput;
    const b = flows.find((r) => r.system !== FLOWMESH)?.throughput;
    goals.push(ratioGoal("(b) DAG flows/s ÷ BullMQ FlowProducer", f && flowsPerSec(f), b && flowsPerSec(b)));
  }
  for (const variant of new Set(latency.map((r) => r.variant))) {
    const f = latency.find((r) => r.system === FLOWMESH && r.variant === variant)?.summary;
    const b = latency.find((r) => r.system !== FLOWMESH && r.variant === variant)?.summary;
    goals.push({
      name: `(c) p99, ${variant}: FlowMesh vs BullMQ`,
      wanted: "≤ BullMQ's",
      actual: f && b ? `${ms(f.p99Ms)} vs ${ms(b.p99Ms)} ms` : "—",
      pass: f && b ? f.p99Ms <= b.p99Ms : undefined,
    });
  }
  return goals;
}

function ratioGoal(name: string, flowmesh: number | undefined, peer: number | undefined): Goal {
  const r = flowmesh !== undefined && peer !== undefined ? flowmesh / peer : undefined;
  return {
    name,
    wanted: `≥ ${TARGET.toFixed(2)}×`,
    actual: r === undefined ? "—" : `${r.toFixed(2)}×`,
    pass: r === undefined ? undefined : r >= TARGET,
  };
}
