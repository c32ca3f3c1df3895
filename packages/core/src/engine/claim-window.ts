/**
 * How many claimed tasks a worker keeps ready beyond its free slots (its
 * prefetch buffer). The buffer exists to hide the claim round trip, so by
 * default it is sized in time, not in tasks, between a floor (a few slots'
 * worth) and a cap: it doubles, once per sample, while a slot found it empty
 * with work still queued, and otherwise eases back (a tenth per sample)
 * towards what this worker starts during {@link ROUND_TRIPS} claim round
 * trips. Quick tasks on a slow round trip get a deep buffer; slow tasks keep
 * the floor, so a busy worker holds little more than a couple of round trips
 * of work that an idle worker could start. A prefetch the user set is fixed
 * (floor = cap).
 */
import { performance } from "node:perf_hooks";

/** Claim round trips of work the buffer holds. */
const ROUND_TRIPS = 2;
/** The start rate is sampled over at least this long (ms): shorter spans would follow single batches. */
const SAMPLE_MS = 50;
/** Weight of a new round-trip time in the running average. */
const RTT_WEIGHT = 0.25;
/** What the buffer keeps of its size per sample without an underrun (down to what the rate wants). */
const EASE_BACK = 0.9;
/** Adaptive buffer's cap: tasks claimed ahead at most, whatever the rate. */
export const MAX_ADAPTIVE_PREFETCH = 1024;

export class ClaimWindow {
  /** Tasks started per ms, over the last samples (0 until measured). */
  private rate = 0;
  /** Claim round trip, ms (running average; 0 until measured). */
  private rtt = 0;
  private starts = 0;
  private since: number;
  /** A slot found the buffer empty with work still queued, this sample. */
  private starved = false;
  private current: number;

  private constructor(
    /** Tasks buffered at least (when the worker is slow or idle). */
    readonly floor: number,
    /** Tasks buffered at most. */
    readonly cap: number,
    private readonly now: () => number,
  ) {
    this.since = now();
    this.current = floor;
  }

  /** A buffer of exactly `prefetch` tasks. */
  static fixed(prefetch: number): ClaimWindow {
    return new ClaimWindow(prefetch, prefetch, () => performance.now());
  }

  /** The default: at least a few slots' worth, up to {@link MAX_ADAPTIVE_PREFETCH} as the rate asks. */
  static adaptive(concurrency: number, now: () => number = () => performance.now()): ClaimWindow {
    // A few slots' worth even at low concurrency: at 10 slots a buffer of 10 drains within one claim round trip.
    const floor = Math.min(4 * concurrency, 32);
    return new ClaimWindow(floor, Math.max(floor, MAX_ADAPTIVE_PREFETCH), now);
  }

  get adaptive(): boolean {
    return this.cap > this.floor;
  }

  /** Tasks to keep buffered now. */
  get size(): number {
    return this.current;
  }

  /** A task left the buffer for a slot. */
  started(): void {
    this.starts++;
  }

  /** A free slot found the buffer empty while the queue still holds work: the buffer is too small. */
  underrun(): void {
    this.starved = true;
  }

  /** A claim came back after `rttMs`: updates the round trip and, once a sample is long enough, the rate. */
  answered(rttMs: number): void {
    if (!this.adaptive) return;
    this.rtt = this.rtt === 0 ? rttMs : this.rtt + RTT_WEIGHT * (rttMs - this.rtt);
    const now = this.now();
    const elapsed = now - this.since;
    if (elapsed < SAMPLE_MS) return;
    // Idle time counts: after a quiet spell the rate (and the buffer) starts small again.
    const sample = this.starts / elapsed;
    this.rate = this.rate === 0 ? sample : (this.rate + sample) / 2;
    this.starts = 0;
    this.since = now;
    const wanted = Math.ceil(this.rate * this.rtt * ROUND_TRIPS);
    const next = this.starved
      ? Math.max(2 * this.current, wanted)
      : Math.max(wanted, Math.floor(this.current * EASE_BACK));
    this.starved = false;
    this.current = Math.min(this.cap, Math.max(this.floor, next));
  }
}
