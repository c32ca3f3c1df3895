/**
 * Gauges read at scrape time from `ctx.stats()`: the backend's queue depth and
 * unfinished runs (the same whichever process is scraped) and this process's
 * worker slots. One stats read serves every gauge of a scrape; when it fails,
 * `flowmesh_backend_up` is 0 and the other gauges report nothing rather than
 * a stale or made-up figure.
 */
import type { EngineStats, Logger } from "@flowmesh/core";
import { METRICS } from "./catalog.js";
import type { Sample } from "./collectors/collector.js";
import { ScrapeGauge } from "./collectors/scrape-gauge.js";

export interface StatsSource {
  stats(): Promise<EngineStats>;
  readonly logger: Logger;
}

/** The scrape-time gauges. */
export function statsGauges(source: StatsSource): ScrapeGauge[] {
  const read = sharedRead(source);
  const gauge = (
    spec: { name: string; help: string },
    samples: (stats: EngineStats | undefined) => Sample[],
  ): ScrapeGauge => new ScrapeGauge(spec.name, spec.help, async () => samples(await read()));
  return [
    gauge(METRICS.backendUp, (stats) => [value(stats === undefined ? 0 : 1)]),
    gauge(METRICS.queueDepth, (stats) => (stats === undefined ? [] : [value(stats.queueDepth)])),
    gauge(METRICS.activeWorkflows, (stats) =>
      stats?.activeRuns === undefined ? [] : [value(stats.activeRuns)],
    ),
    gauge(METRICS.tasksRunning, (stats) =>
      stats?.worker === undefined ? [] : [value(stats.worker.running)],
    ),
    gauge(METRICS.workerSlots, (stats) => {
      const worker = stats?.worker;
      if (worker === undefined) return [];
      return [
        { value: worker.running, labels: { state: "busy" } },
        { value: Math.max(0, worker.concurrency - worker.running), labels: { state: "free" } },
      ];
    }),
  ];
}

function value(v: number): Sample {
  return { value: v, labels: {} };
}

/**
 * One `stats()` call shared by every gauge collecting at the same time (the
 * registry collects all metrics at once); `undefined` when it failed.
 */
function sharedRead(source: StatsSource): () => Promise<EngineStats | undefined> {
  let pending: Promise<EngineStats | undefined> | undefined;
  return () => {
    pending ??= source
      .stats()
      .catch((error: unknown) => {
        source.logger.warn({ err: error }, "metrics: could not read the engine's stats from the backend");
        return undefined;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
}
