/**
 * Signals to this process's subscribers (workers waiting for work, callers
 * waiting for runs): from the LISTEN connection, from this process's own
 * writes, and from a timer for retries coming due. NOTIFY is best effort, so
 * runs someone here waits for are also polled until they end: a lost
 * run-finished notification must not leave a waiter hanging. LISTEN starts
 * only once someone subscribes: a process that only creates runs needs no
 * extra connection.
 */
import type { TerminalRunStatus } from "@flowmesh/core";
import type { CoordinatorSignal } from "@flowmesh/core/plugin";
import { Listener } from "./listener.js";
import type { Notifier } from "./notifier.js";
import { connectionConfig, type PostgresCoordinatorOptions } from "./options.js";
import type { Queries } from "./queries.js";
import type { StatementRunner } from "./statement-runner.js";
import { WakeTimer } from "./wake-timer.js";

const WORK: CoordinatorSignal = Object.freeze({ type: "work" });

export interface SignalsOptions {
  /** Read when needed: poll intervals, and the LISTEN connection's settings. */
  coordinatorOptions: PostgresCoordinatorOptions;
  queries: Queries;
  runner: StatementRunner;
  /** The other processes' side: NOTIFY. */
  notifier: Notifier;
  /** The schema's LISTEN/NOTIFY channel. */
  channel: string;
  /** True once the coordinator has its pool: a subscriber before that gets LISTEN from start(). */
  started(): boolean;
  /** True once the coordinator is closing. */
  closed(): boolean;
}

export class Signals {
  private readonly options: SignalsOptions;
  private readonly q: Queries;
  private readonly runner: StatementRunner;
  private readonly notifier: Notifier;
  private readonly subscribers = new Set<(signal: CoordinatorSignal) => void>();
  private listenerRef: Listener | undefined;
  private readonly wake: WakeTimer;
  /** Runs someone here waits for (read while unfinished): polled, in case their run-finished notification is lost. */
  private readonly watched = new Set<string>();
  private watchTimer: NodeJS.Timeout | undefined;

  constructor(options: SignalsOptions) {
    this.options = options;
    this.q = options.queries;
    this.runner = options.runner;
    this.notifier = options.notifier;
    this.wake = new WakeTimer(() => this.signal(WORK));
  }

  /** The LISTEN connection, once started. */
  get listener(): Listener | undefined {
    return this.listenerRef;
  }

  subscribe(listener: (signal: CoordinatorSignal) => void): () => void {
    this.subscribers.add(listener);
    if (this.options.started() && !this.options.closed()) this.startListener();
    return () => {
      this.subscribers.delete(listener);
    };
  }

  /** At start(): LISTEN for those who subscribed before. */
  listenIfSubscribed(): void {
    if (this.subscribers.size > 0) this.startListener();
  }

  /** A work signal here `ms` from now (a retry becomes due). */
  wakeIn(ms: number): void {
    this.wake.in(ms);
  }

  /** Local subscribers now, other processes through NOTIFY. */
  wakeWorkers(): void {
    this.signal(WORK);
    this.notifier.pushWork();
  }

  /** Waiters read a run's result first, then wait for its run-finished signal: make sure one comes. */
  watch(runId: string): void {
    if (this.options.closed() || this.watched.size >= 100_000) return;
    this.watched.add(runId);
    if (this.watchTimer === undefined) {
      this.watchTimer = setInterval(
        () => void this.pollWatched(),
        this.options.coordinatorOptions.watchPollMs ?? 1_000,
      );
      this.watchTimer.unref();
    }
  }

  /** A run was cancelled or timed out here: tell running attempts everywhere to stop. */
  ended(runId: string, status: TerminalRunStatus): void {
    this.notifier.push(`c:${runId}`);
    this.notifier.push(`f:${runId}:${status}`);
    this.signal({ type: "run-cancelled", runId });
    this.announce(runId, status);
  }

  announce(runId: string, status: TerminalRunStatus): void {
    this.signal({ type: "run-finished", runId, status });
  }

  /**
   * Closing, first step: no more timers, polls or LISTEN. Subscribers stay
   * until {@link Signals.dropSubscribers}: they still hear what calls in flight report.
   */
  stop(): Promise<void> {
    this.wake.clear();
    if (this.watchTimer !== undefined) clearInterval(this.watchTimer);
    this.watchTimer = undefined;
    this.watched.clear();
    return this.listenerRef?.stop() ?? Promise.resolve();
  }

  /** Closing, last step. */
  dropSubscribers(): void {
    this.subscribers.clear();
  }

  private startListener(): void {
    if (this.listenerRef !== undefined) return;
    const o = this.options.coordinatorOptions;
    this.listenerRef = new Listener({
      config: connectionConfig(o),
      channel: this.options.channel,
      pollIntervalMs: o.pollIntervalMs ?? 1_000,
      safetyPollMs: o.safetyPollMs ?? 5_000,
      signal: (signal) => this.signal(signal),
      wakeIn: (ms) => this.wake.in(ms),
      endedSince: async (since) => {
        const rows = await this.runner.run<{ id: string; status: TerminalRunStatus; ended_at: number }>(
          this.q.endedSince,
          [since],
          true,
        );
        return rows.map((row) => ({ id: row.id, status: row.status, endedAt: row.ended_at }));
      },
      connected: () => {
        // The database answers again: healthy now, not only after the next statement succeeds.
        this.runner.markUp();
        this.signal(WORK);
        void this.armNextRetry();
      },
      onError: (error) => {
        this.runner.markDown(`LISTEN connection: ${(error as Error)?.message ?? String(error)}`, {
          keepFirst: true,
        });
      },
    });
    this.listenerRef.start();
  }

  /** After (re)connecting: wake up for the earliest retry, which a lost notification may have announced. */
  private async armNextRetry(): Promise<void> {
    try {
      const rows = await this.runner.run<{ delay: number | null }>(this.q.nextRetry, [], true);
      const delay = rows[0]?.delay;
      if (delay !== null && delay !== undefined) this.wake.in(Math.max(0, delay));
    } catch {
      // The next reconnect or poll tries again.
    }
  }

  private signal(signal: CoordinatorSignal): void {
    if (signal.type === "run-finished" && this.watched.size > 0) this.watched.delete(signal.runId);
    for (const listener of this.subscribers) listener(signal);
  }

  private async pollWatched(): Promise<void> {
    if (this.watched.size === 0) {
      clearInterval(this.watchTimer);
      this.watchTimer = undefined;
      return;
    }
    try {
      const rows = await this.runner.run<{ id: string; status: TerminalRunStatus }>(
        this.q.finishedAmong,
        [[...this.watched].slice(0, 10_000)],
        true,
      );
      for (const row of rows) this.announce(row.id, row.status);
    } catch {
      // The database is unreachable: the next poll tries again.
    }
  }
}
