/**
 * Pub/sub on a dedicated connection: turns the `signals` channel into
 * coordinator signals, wakes workers when retries fall due (one timer, for the
 * earliest due time this process knows of), and wakes them after a reconnect,
 * since pub/sub drops what is published while a subscriber is away.
 */
import type { CoordinatorSignal } from "@flowmesh/core/plugin";
import type { Logger, TerminalRunStatus } from "@flowmesh/core";
import type { Cluster, Redis } from "ioredis";
import { decodeResult } from "./codec.js";

const WORK: CoordinatorSignal = { type: "work" };

export interface SignalHubOptions {
  channel: string;
  /** Makes the subscriber connection (owned and closed by the hub). */
  connect: () => Redis | Cluster;
  /** Ms from now until the earliest retry is due, if any (Redis clock). */
  nextDue: () => Promise<number | undefined>;
  /** Wake listeners this often even without a signal (0: never): a safety net for lost messages. */
  idleWakeMs: number;
  logger: Logger;
}

export class SignalHub {
  private readonly listeners = new Set<(signal: CoordinatorSignal) => void>();
  private subscriber: Redis | Cluster | undefined;
  private workScheduled = false;
  private dueTimer: NodeJS.Timeout | undefined;
  private dueAt = Infinity;
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private starting: Promise<void> | undefined;

  constructor(private readonly options: SignalHubOptions) {}

  subscribe(listener: (signal: CoordinatorSignal) => void): () => void {
    this.listeners.add(listener);
    if (this.subscriber === undefined && !this.closed) this.start().catch(() => undefined);
    return () => this.listeners.delete(listener);
  }

  /** True once the subscriber connection is subscribed (or none is needed yet). */
  get connected(): boolean {
    return this.subscriber === undefined || this.subscriber.status === "ready";
  }

  /** Opens the subscriber connection; resolves once subscribed. */
  start(): Promise<void> {
    this.starting ??= this.open();
    return this.starting;
  }

  private async open(): Promise<void> {
    const subscriber = this.options.connect();
    this.subscriber = subscriber;
    subscriber.on("message", (_channel: string, message: string) => this.onMessage(message));
    subscriber.on("error", (error: unknown) => {
      this.options.logger.debug({ err: error }, "redis subscriber connection error");
    });
    // Every (re)subscription: wake workers (messages may have been missed) and re-arm the retry timer.
    subscriber.on("ready", () => {
      this.emitWork();
      this.refreshDue();
    });
    if (this.options.idleWakeMs > 0) {
      this.idleTimer = setInterval(() => this.emitWork(), this.options.idleWakeMs);
      this.idleTimer.unref();
    }
    await subscriber.subscribe(this.options.channel);
    this.emitWork();
    this.refreshDue();
  }

  private onMessage(message: string): void {
    switch (message[0]) {
      case "w":
        this.emitWork();
        return;
      case "d":
        this.armDue(Date.now() + Number(message.slice(2)));
        return;
      case "f":
        this.emit(decodeFinished(message));
        return;
      case "c":
        this.emit({ type: "run-cancelled", runId: message.slice(2) });
        return;
    }
  }

  /** One wake-up per burst of messages. */
  emitWork(): void {
    if (this.workScheduled || this.listeners.size === 0) return;
    this.workScheduled = true;
    queueMicrotask(() => {
      this.workScheduled = false;
      this.emit(WORK);
    });
  }

  /** Tells this process's listeners directly (what this process itself caused, e.g. a run it ended). */
  notify(signal: CoordinatorSignal): void {
    this.emit(signal);
  }

  private emit(signal: CoordinatorSignal): void {
    for (const listener of this.listeners) listener(signal);
  }

  /** Wakes workers when a retry falls due; keeps one timer, for the earliest. */
  armDue(at: number): void {
    if (this.closed || at >= this.dueAt) return;
    if (this.dueTimer !== undefined) clearTimeout(this.dueTimer);
    this.dueAt = at;
    this.dueTimer = setTimeout(
      () => {
        this.dueTimer = undefined;
        this.dueAt = Infinity;
        this.emitWork();
        this.refreshDue();
      },
      Math.max(0, at - Date.now()),
    );
    this.dueTimer.unref();
  }

  /** Arms the timer for the earliest retry still waiting in Redis (due now ones are claimed by the wake-up). */
  private refreshDue(): void {
    if (this.closed || this.listeners.size === 0) return;
    this.options.nextDue().then(
      (ms) => {
        if (ms !== undefined && ms > 0) this.armDue(Date.now() + ms);
      },
      () => undefined,
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    if (this.dueTimer !== undefined) clearTimeout(this.dueTimer);
    if (this.idleTimer !== undefined) clearInterval(this.idleTimer);
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (subscriber !== undefined) {
      subscriber.removeAllListeners("message");
      if (subscriber.status === "ready") await subscriber.quit().catch(() => subscriber.disconnect());
      else subscriber.disconnect();
    }
  }
}

/**
 * `f|<status>|<id>`, optionally followed by `|` and the run's result as a JSON array (what the
 * result script returns; see `publish_end`). A result that does not decode is left out: the
 * waiters then read it.
 */
export function decodeFinished(message: string): CoordinatorSignal {
  const bar = message.indexOf("|", 2);
  const status = message.slice(2, bar) as TerminalRunStatus;
  const end = message.indexOf("|", bar + 1);
  if (end === -1) return { type: "run-finished", status, runId: message.slice(bar + 1) };
  const runId = message.slice(bar + 1, end);
  let reply: unknown;
  try {
    reply = JSON.parse(message.slice(end + 1));
  } catch {
    return { type: "run-finished", status, runId };
  }
  if (!Array.isArray(reply) || reply.length < 4 || !reply.every((v) => typeof v === "string"))
    return { type: "run-finished", status, runId };
  return { type: "run-finished", status, runId, result: decodeResult(reply) };
}
