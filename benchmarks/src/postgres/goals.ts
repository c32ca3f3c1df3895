/** Issue 5's goals: ≥1.5× graphile-worker's default and ≥1× its batched configuration, at c=10. */
import type { Goal } from "../common/goals.js";
import {
  FLOWMESH,
  flowsPerSec,
  processRate,
  totalRate,
  type BatchRow,
  type FlowRow,
} from "../common/scenarios.js";
import { GRAPHILE_BATCHED, GRAPHILE_DEFAULT } from "../peers/graphile.js";

export function postgresGoals(batch: readonly BatchRow[], flows: readonly FlowRow[]): Goal[] {
  const goals: Goal[] = [];
  const fm = batch.find((r) => r.system === FLOWMESH)?.result;
  for (const [peer, target] of [
    [GRAPHILE_DEFAULT.name, 1.5],
    [GRAPHILE_BATCHED.name, 1],
  ] as const) {
    const p = batch.find((r) => r.system === peer)?.result;
    if (batch.length === 0) continue;
    goals.push(
      ratioGoal(`single jobs/s (process) ÷ ${peer}`, target, fm && processRate(fm), p && processRate(p)),
    );
    goals.push(
      ratioGoal(`single jobs/s (enqueue+process) ÷ ${peer}`, target, fm && totalRate(fm), p && totalRate(p)),
    );
    const f = flows.find((r) => r.system === FLOWMESH)?.throughput;
    const pf = flows.find((r) => r.system === peer)?.throughput;
    if (flows.length > 0)
      goals.push(ratioGoal(`DAG flows/s ÷ ${peer}`, target, f && flowsPerSec(f), pf && flowsPerSec(pf)));
  }
  return goals;
}

function ratioGoal(
  name: string,
  target: number,
  flowmesh: number | undefined,
  peer: number | undefined,
): Goal {
  const r = flowmesh !== undefined && peer !== undefined ? flowmesh / peer : undefined;
  return {
    name,
    wanted: `≥ ${target.toFixed(2)}×`,
    actual: r === undefined ? "—" : `${r.toFixed(2)}×`,
    pass: r === undefined ? undefined : r >= target,
  };
}
