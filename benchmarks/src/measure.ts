/**
 * Timing and memory helpers. A scenario is measured as: warm-up runs (not
 * counted, so the JIT has compiled the hot paths), a forced GC when node runs
 * with `--expose-gc`, then timed rounds back to back with peak RSS sampled
 * throughout. Rounds are not separated by forced GCs: collecting its garbage
 * is part of what a system costs.
 */

/** What a system under test offers the harness: run the shape once, and shut down. */
export interface Runner {
  /** Runs the workflow once and settles when the run has finished. */
  runOnce(): Promise<unknown>;
  /** Releases everything the runner holds (timers, engine). */
  close(): Promise<void>;
}

/** How runs are issued: one after another, or all started before any is awaited. */
export type RunMode = "sequential" | "concurrent";

export interface MeasureOptions {
  mode: RunMode;
  /** Timed runs per round. */
  runs: number;
  /** Timed rounds; the median round is the figure, which keeps one GC pause or scheduler hiccup out of it. */
  rounds: number;
  /** Sequential warm-up runs, not timed... */
  warmupRuns: number;
  /** ...continued until at least this long has passed, so the JIT has optimized the hot paths. */
  warmupMs: number;
}

/** The raw outcome of one timed scenario. */
export interface Measurement {
  /** Runs per round. */
  runs: number;
  /** Elapsed time of each round, in the order they ran. */
  roundsNs: bigint[];
  /** The median of `roundsNs`. */
  elapsedNs: bigint;
  /** RSS just before the first timed round (after warm-up and GC). */
  startRssBytes: number;
  /** Highest RSS seen while timed runs were in flight, or at the end of a round. */
  peakRssBytes: number;
}

/** Warms up, collects garbage, then times `options.rounds` rounds of `options.runs` runs back to back. */
export async function measure(runner: Runner, options: MeasureOptions): Promise<Measurement> {
  await warmUp(runner, options);
  collectGarbage();
  const sampler = new PeakRssSampler(RSS_SAMPLE_INTERVAL_MS);
  const startRssBytes = sampler.peak;
  const roundsNs: bigint[] = [];
  for (let round = 0; round < options.rounds; round++) {
    const start = process.hrtime.bigint();
    if (options.mode === "sequential") {
      for (let i = 0; i < options.runs; i++) await runner.runOnce();
    } else {
      await runConcurrently(runner, options.runs, sampler);
    }
    roundsNs.push(process.hrtime.bigint() - start);
    sampler.sample();
  }
  const peakRssBytes = sampler.stop();
  return { runs: options.runs, roundsNs, elapsedNs: median(roundsNs), startRssBytes, peakRssBytes };
}

/** Runs `global.gc` when exposed (`node --expose-gc`), so a scenario does not pay for the previous one's garbage. */
export function collectGarbage(): void {
  globalThis.gc?.();
}

/** Bytes to mebibytes. */
export function toMiB(bytes: number): number {
  return bytes / (1024 * 1024);
}

/** Nanoseconds to seconds, as a float. */
export function toSeconds(ns: bigint): number {
  return Number(ns) / 1e9;
}

const RSS_SAMPLE_INTERVAL_MS = 10;

/**
 * Also sample RSS every this many finished concurrent runs: a run made only
 * of microtasks may never yield to the timer phase, so the interval alone
 * could miss the peak of a scenario that finishes within one macrotask.
 */
const RSS_SAMPLE_EVERY_RUNS = 250;

async function warmUp(runner: Runner, options: MeasureOptions): Promise<void> {
  const until = process.hrtime.bigint() + BigInt(options.warmupMs) * 1_000_000n;
  for (let i = 0; i < options.warmupRuns || process.hrtime.bigint() < until; i++) await runner.runOnce();
}

async function runConcurrently(runner: Runner, runs: number, sampler: PeakRssSampler): Promise<void> {
  let finished = 0;
  const onFinished = (): void => {
    if (++finished % RSS_SAMPLE_EVERY_RUNS === 0) sampler.sample();
  };
  const pending = new Array<Promise<void>>(runs);
  for (let i = 0; i < runs; i++) pending[i] = runner.runOnce().then(onFinished);
  // Every run's initial state now exists: a likely peak for engines that allocate up front.
  sampler.sample();
  await Promise.all(pending);
}

/** Tracks the highest RSS seen on an unref'd interval and on demand. */
class PeakRssSampler {
  peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs: number) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    // The sampler must never be what keeps the process alive.
    this.timer.unref();
  }

  sample(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
  }

  /** Stops sampling and returns the peak, including a final sample. */
  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return this.peak;
  }
}

function median(values: readonly bigint[]): bigint {
  if (values.length === 0) throw new Error("median of no values");
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted[(sorted.length - 1) >> 1]!;
}
