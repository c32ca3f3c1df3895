/**
 * Wake-ups over LISTEN/NOTIFY on one dedicated connection with its own
 * reconnect (backoff up to 5 s). Payloads carry ids only, several joined by `;`:
 * `w` (work), `r:<ms>` (a retry becomes due in ms), `f:<run>:<status>`
 * (run finished), `c:<run>` (run cancelled or timed out). While the
 * connection is down it falls back to polling: a work signal every
 * `pollIntervalMs`, and the runs that ended since it went down, so waiters
 * are not left hanging.
 */
import type { TerminalRunStatus } from "@flowmesh/core";
import type { CoordinatorSignal } from "@flowmesh/core/plugin";
import pg from "pg";

export interface ListenerOptions {
  /** Connection settings for the dedicated client. */
  config: pg.ClientConfig;
  channel: string;
  pollIntervalMs: number;
  /** A work signal this often even while listening, in case a notification was lost. */
  safetyPollMs: number;
  /** Signals out. */
  signal(signal: CoordinatorSignal): void;
  /** A retry becomes due in `ms`. */
  wakeIn(ms: number): void;
  /** Runs that ended at or after `sinceMs` (database clock), for the polling fallback. */
  endedSince(sinceMs: number): Promise<{ id: string; status: TerminalRunStatus; endedAt: number }[]>;
  /** Called on connect and reconnect: catch up on what may have been missed. */
  connected(): void;
  onError(error: unknown): void;
}

const TERMINAL = new Set(["succeeded", "failed", "cancelled", "timed_out"]);
const MAX_BACKOFF_MS = 5_000;

export class Listener {
  private client: pg.Client | undefined;
  private stopped = false;
  private up = false;
  private backoffMs = 100;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  /** Database-clock ms from which ended runs are polled while down. */
  private pollSince: number | undefined;
  private polling = false;
  private safetyTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ListenerOptions) {}

  /** True while LISTEN is active. */
  get listening(): boolean {
    return this.up;
  }

  start(): void {
    this.safetyTimer = setInterval(() => {
      if (this.up) this.options.signal({ type: "work" });
    }, this.options.safetyPollMs);
    this.safetyTimer.unref();
    void this.connect();
  }

  /** The process id of the listening backend (tests terminate it). */
  get backendPid(): number | undefined {
    return (this.client as unknown as { processID?: number } | undefined)?.processID;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.up = false;
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    if (this.pollTimer !== undefined) clearInterval(this.pollTimer);
    if (this.safetyTimer !== undefined) clearInterval(this.safetyTimer);
    this.safetyTimer = undefined;
    this.reconnectTimer = undefined;
    this.pollTimer = undefined;
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) await client.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client(this.options.config);
    this.client = client;
    let failed = false;
    const fail = (error: unknown): void => {
      if (failed) return;
      failed = true;
      if (this.client === client) this.client = undefined;
      client.removeAllListeners("notification");
      void client.end().catch(() => undefined);
      if (!this.stopped) {
        this.options.onError(error);
        this.down();
      }
    };
    client.on("error", fail);
    client.on("end", () => fail(new Error("the LISTEN connection ended")));
    client.on("notification", (message) => this.dispatch(message.payload ?? ""));
    try {
      await client.connect();
      await client.query(`LISTEN "${this.options.channel}"`);
      if (this.stopped || failed) {
        await client.end().catch(() => undefined);
        return;
      }
      this.up = true;
      this.backoffMs = 100;
      if (this.pollTimer !== undefined) clearInterval(this.pollTimer);
      this.pollTimer = undefined;
      // Healthy from the moment it listens (not only after the catch-up below).
      this.options.connected();
      // Notifications sent while we were away are lost: catch up once.
      const since = this.pollSince;
      this.pollSince = undefined;
      if (since !== undefined) await this.pollEnded(since);
    } catch (error) {
      fail(error);
    }
  }

  private down(): void {
    this.up = false;
    this.pollSince ??= Date.now() - 1_000;
    if (this.pollTimer === undefined) {
      this.pollTimer = setInterval(() => void this.poll(), this.options.pollIntervalMs);
      this.pollTimer.unref();
    }
    if (this.reconnectTimer === undefined) {
      const delay = this.backoffMs;
      this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2);
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = undefined;
        void this.connect();
      }, delay);
      this.reconnectTimer.unref();
    }
  }

  private async poll(): Promise<void> {
    if (this.up || this.stopped) return;
    this.options.signal({ type: "work" });
    if (this.pollSince !== undefined) await this.pollEnded(this.pollSince);
  }

  private async pollEnded(since: number): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const ended = await this.options.endedSince(since);
      for (const run of ended) {
        this.options.signal({ type: "run-finished", runId: run.id, status: run.status });
        if (this.pollSince !== undefined && run.endedAt > this.pollSince) this.pollSince = run.endedAt;
      }
    } catch {
      // The database is down too: the next poll tries again.
    } finally {
      this.polling = false;
    }
  }

  private dispatch(message: string): void {
    for (const payload of message.split(";")) this.dispatchOne(payload);
  }

  private dispatchOne(payload: string): void {
    const kind = payload.charCodeAt(0);
    if (payload === "w") this.options.signal({ type: "work" });
    else if (kind === 114 /* r */) {
      const ms = Number(payload.slice(2));
      if (Number.isFinite(ms)) this.options.wakeIn(ms);
    } else if (kind === 102 /* f */) {
      const [, runId, status] = payload.split(":");
      if (runId !== undefined && status !== undefined && TERMINAL.has(status)) {
        this.options.signal({ type: "run-finished", runId, status: status as TerminalRunStatus });
      }
    } else if (kind === 99 /* c */) {
      this.options.signal({ type: "run-cancelled", runId: payload.slice(2) });
    }
  }
}
