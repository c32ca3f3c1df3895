/**
 * Sends NOTIFY payloads after the writes they announce committed, batched:
 * one short read-only statement carries every payload queued meanwhile,
 * packed several to a notification. (A NOTIFY inside a writing transaction
 * would hold the server's global notify lock through the commit's WAL flush,
 * serialising every commit.) Best effort: a lost notification delays a
 * wake-up until the next poll, and a waiter's result until the watched-runs
 * poll (see signals.ts), nothing more.
 */
import type pg from "pg";

/** Notification payloads stay well under PostgreSQL's 8000-byte limit. */
const MAX_PAYLOAD = 7_000;
/**
 * Under load, one send at most this often: the first notification after a
 * quiet spell goes out at once, later ones are coalesced (each send is a
 * transaction that writes to the notification queue).
 */
const MIN_INTERVAL_MS = 4;

export class Notifier {
  private queue: string[] = [];
  private work = false;
  private sending: Promise<void> | undefined;
  private lastSentAt = 0;

  constructor(
    private readonly pool: () => pg.Pool | undefined,
    private readonly channel: string,
    private readonly statementName: string,
  ) {}

  /** Queues a wake-up for idle workers (deduplicated). */
  pushWork(): void {
    this.work = true;
    this.kick();
  }

  /** Queues a payload (`f:<run>:<status>`, `c:<run>`, `r:<ms>`). */
  push(payload: string): void {
    this.queue.push(payload);
    this.kick();
  }

  /** Resolves when everything queued so far was sent (or failed). */
  async flush(): Promise<void> {
    while (this.sending !== undefined) await this.sending;
  }

  private kick(): void {
    if (this.sending !== undefined) return;
    this.sending = new Promise<void>((resolve) => queueMicrotask(resolve)).then(() => this.send());
  }

  private async send(): Promise<void> {
    try {
      while (this.work || this.queue.length > 0) {
        const wait = this.lastSentAt + MIN_INTERVAL_MS - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        this.lastSentAt = Date.now();
        const items = this.work ? ["w", ...this.queue] : this.queue;
        this.work = false;
        this.queue = [];
        const pool = this.pool();
        if (pool === undefined) return;
        const packed = pack(items);
        // A dropped connection: try twice more on a fresh one before giving up on these.
        for (let attempt = 1; attempt <= 3; attempt++) {
          try {
            await pool.query({
              name: this.statementName,
              text: "SELECT count(pg_notify($1, p)) FROM unnest($2::text[]) AS p",
              values: [this.channel, packed],
            });
            break;
          } catch {
            await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
          }
        }
      }
    } finally {
      this.sending = undefined;
    }
  }
}

/** Joins payloads with `;` into as few notifications as fit. */
function pack(items: string[]): string[] {
  const out: string[] = [];
  let current = "";
  for (const item of items) {
    if (current.length > 0 && current.length + item.length + 1 > MAX_PAYLOAD) {
      out.push(current);
      current = "";
    }
    current = current.length === 0 ? item : `${current};${item}`;
  }
  if (current.length > 0) out.push(current);
  return out;
}
