/**
 * Cancellations racing the claims in flight. A claim (or an eager start's
 * creation) sent before a run was cancelled may bring that run's tasks back:
 * they must be dropped when it lands. Claims and cancellations are numbered in
 * one sequence; a cancellation is remembered only while a claim sent before
 * it is still in flight, so the memory stays as small as the claims in flight.
 */
import type { ClaimedTask } from "../backend/types.js";

export class ClaimFence {
  private sequence = 0;
  /** The numbers of the claims in flight. */
  private readonly inFlight = new Set<number>();
  /** Runs cancelled while claims were in flight, with the number current at the cancel. */
  private readonly cancelled = new Map<string, number>();

  /** A claim goes out: its number, for {@link land}. */
  send(): number {
    const seq = ++this.sequence;
    this.inFlight.add(seq);
    return seq;
  }

  /** A run was cancelled: claims in flight now must not start its tasks. */
  cancel(runId: string): void {
    if (this.inFlight.size > 0) this.cancelled.set(runId, ++this.sequence);
  }

  /**
   * The claim numbered `seq` came back with `tasks` (none when it failed):
   * returns them without those of runs cancelled after it was sent, and
   * forgets cancellations no claim still in flight was sent before.
   */
  land(seq: number, tasks: readonly ClaimedTask[]): readonly ClaimedTask[] {
    this.inFlight.delete(seq);
    if (this.cancelled.size === 0) return tasks;
    const cancelled = this.cancelled;
    const kept = tasks.length === 0 ? tasks : tasks.filter((task) => (cancelled.get(task.runId) ?? 0) <= seq);
    let oldest = Infinity;
    for (const sent of this.inFlight) oldest = Math.min(oldest, sent);
    for (const [runId, at] of cancelled) if (at <= oldest) cancelled.delete(runId);
    return kept;
  }
}
