/**
 * Wakes live SSE streams when this process's engine reports activity on a
 * run, so they re-read the event log at once instead of at the next poll.
 * It listens to engine events only while some stream is open: emitting them
 * costs nothing otherwise.
 */
import type { FlowMesh } from "@flowmesh/core";

type Wake = () => void;

const EVENTS = ["task:started", "task:succeeded", "task:failed", "task:retrying", "task:lease_lost"] as const;

export class RunEventNotifier {
  private readonly listeners = new Map<string, Set<Wake>>();
  private size = 0;
  private readonly onTask = (event: { runId: string }): void => this.notify(event.runId);
  private readonly onFinished = (event: { run: { id: string } }): void => this.notify(event.run.id);

  constructor(private readonly engine: FlowMesh) {}

  /** Calls `wake` on activity for `runId`; returns the unsubscribe function. */
  subscribe(runId: string, wake: Wake): () => void {
    let set = this.listeners.get(runId);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(runId, set);
    }
    set.add(wake);
    if (this.size++ === 0) this.attach();
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      set.delete(wake);
      if (set.size === 0) this.listeners.delete(runId);
      if (--this.size === 0) this.detach();
    };
  }

  private notify(runId: string): void {
    const set = this.listeners.get(runId);
    if (set !== undefined) for (const wake of set) wake();
  }

  private attach(): void {
    for (const name of EVENTS) this.engine.events.on(name, this.onTask);
    this.engine.events.on("run:finished", this.onFinished);
  }

  private detach(): void {
    for (const name of EVENTS) this.engine.events.off(name, this.onTask);
    this.engine.events.off("run:finished", this.onFinished);
  }
}
