/**
 * How many claimed tasks a worker keeps ready beyond its free slots (its
 * prefetch buffer). The buffer exists to hide the claim round trip, so by
 * default it is sized in time, not in tasks, between a floor (a few slots'
 * worth) and a cap. Measured over samples of at least {@link SAMPLE_MS}: it
 * doubles after a sample in which a free slot found it empty while claims
 * were coming back full and smaller than the backend's batch (the buffer, not
 * the backend, held the worker back); otherwise it eases back with time (a
 * tenth per {@link SAMPLE_MS}), never below what the worker started during
 * {@link ROUND_TRIPS} claim round trips. Quick tasks on a slow round trip get
 * a deep buffer; slow tasks bring it back to the floor within a second or
 * two, and the pipeline hands back what it holds beyond twice the size. A
 * prefetch the user set is fixed (floor = cap).
 */
import { performance } from "node:perf_hooks";

/** Claim round trips of work the buffer holds at least, once the rate is known. */
const ROUND_TRIPS = 2;
/** The start rate is sampled over at least this long (ms): shorter spans would follow single batches. */
const SAMPLE_MS = 50;
/** A sample longer than this (ms) spans an idle spell: it may shrink the buffer, never grow it. */
const STALE_SAMPLE_MS = 4 * SAMPLE_MS;
/** Weight of a new round-trip time in the running average. */
const RTT_WEIGHT = 0.25;
/** What the buffer keeps of its size per {@link SAMPLE_MS} without an underrun (down to what the rate wants). */
const EASE_BACK = 0.9;

export class ClaimWindow {
  /** Tasks started per ms, over the last samples (0 until measured). */
  private rate = 0;
  /** Claim round trip, ms (running average; 0 until measured). */
  private rtt = 0;
  private starts = 0;
  private since: number;
  /** A slot found the buffer empty with work queued, this sample. */
  private starved = false;
  private current: number;

  private constructor(
    /** Tasks buffered at least. */
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

  /**
   * The default: from a few slots' worth (`min(4 × concurrency, 32)`) up to
   * `cap` (the worker passes a few claims' worth: more would not make claims
   * bigger, only hold more tasks).
   */
  static adaptive(
    concurrency: number,
    cap: number,
    now: () => number = () => performance.now(),
  ): ClaimWindow {
    // A few slots' worth even at low concurrency: at 10 slots a buffer of 10 drains within one claim round trip.
    const floor = Math.min(4 * concurrency, 32);
    return new ClaimWindow(floor, Math.max(floor, cap), now);
  }

  get adaptive(): boolean {
    return this.cap > this.floor;
  }

  /** Tasks to keep buffered now. */
  get size(): number {
    return this.current;
  }

  /** A task left the buffer for a slot at `now` (the caller's clock reading, when it has one). */
  started(now?: number): void {
    if (!this.adaptive) return;
    this.starts++;
    this.sample(now ?? this.now());
  }

  /**
   * A free slot found the buffer empty while the last claim came back full
   * and the buffer limited its size: a bigger buffer would have kept it busy.
   */
  underrun(): void {
    this.starved = true;
  }

  /** A claim came back after `rttMs`; `full`: it brought all it asked for (else nothing more is queued). */
  answered(rttMs: number, full: boolean): void {
    if (!this.adaptive) return;
    this.rtt = this.rtt === 0 ? rttMs : this.rtt + RTT_WEIGHT * (rttMs - this.rtt);
    // The queue ran dry: an empty buffer since says nothing about its size.
    if (!full) this.starved = false;
    this.sample(this.now());
  }

  /** Takes a sample if one is due (a timer calls it while nothing starts and no claim lands). */
  tick(): void {
    if (this.adaptive) this.sample(this.now());
  }

  private sample(now: number): void {
    const elapsed = now - this.since;
    if (elapsed < SAMPLE_MS) return;
    // Idle time counts: after a quiet spell the rate is low, and the buffer eases back for all of it.
    const rate = this.starts / elapsed;
    this.rate = this.rate === 0 ? rate : (this.rate + rate) / 2;
    this.starts = 0;
    this.since = now;
    const wanted = Math.ceil(this.rate * this.rtt * ROUND_TRIPS);
    const next =
      this.starved && elapsed <= STALE_SAMPLE_MS
        ? Math.max(2 * this.current, wanted)
        : Math.max(wanted, Math.floor(this.current * EASE_BACK ** (elapsed / SAMPLE_MS)));
    this.starved = false;
    this.current = Math.min(this.cap, Math.max(this.floor, next));
  }
}
