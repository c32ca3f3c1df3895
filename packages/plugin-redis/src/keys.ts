/**
 * The key layout. Everything lives under one prefix (default `flowmesh:`):
 *
 * - `<p>run:{<id>}` — hash: the run and every task's state and output;
 * - `<p>run:{<id>}:ev` — stream: the run's event log (ids are stream ids);
 * - `<p>ready` (zset, priority then ready time), `<p>delayed` (zset, retry
 *   time), `<p>leases` (zset, lease expiry; one permanent member at +inf keeps
 *   it a skiplist), `<p>deadlines` (zset, run
 *   deadline) — the global queues, members `<runId>|<taskIndex>`;
 * - `<p>idem` — hash: idempotency key → run id;
 * - `<p>idx:all`, `<p>idx:wf:<workflow>`, `<p>idx:st:<status>`,
 *   `<p>idx:ns:<namespace>` — zsets of run ids by creation time, for listRuns;
 *   pending and running runs share `<p>idx:st:active`, each terminal status
 *   has its own;
 * - `<p>signals` — pub/sub channel: `w` (work), `d|<ms>` (a retry due in ms),
 *   `f|<status>|<id>[|<result JSON>]` (a run someone waits for finished, with its result
 *   when small), `c|<id>` (run cancelled).
 *
 * A run's two keys share the hash tag `{<id>}`, so they sit in one Cluster
 * slot; the global keys do not (see the README's Cluster notes).
 */
export class KeyLayout {
  /** The prefix, ending in `:`. */
  readonly prefix: string;

  constructor(keyPrefix: string) {
    this.prefix = keyPrefix.endsWith(":") ? keyPrefix : `${keyPrefix}:`;
  }

  run(id: string): string {
    return `${this.prefix}run:{${id}}`;
  }

  events(id: string): string {
    return `${this.prefix}run:{${id}}:ev`;
  }

  get ready(): string {
    return `${this.prefix}ready`;
  }

  get delayed(): string {
    return `${this.prefix}delayed`;
  }

  get leases(): string {
    return `${this.prefix}leases`;
  }

  get signals(): string {
    return `${this.prefix}signals`;
  }

  /**
   * The status index holding runs of `status`: pending and running runs share
   * `idx:st:active` (starting a run moves no index entry); each terminal
   * status has its own.
   */
  statusIndex(status: string): string {
    return this.index("st", status === "pending" || status === "running" ? "active" : status);
  }

  index(kind: "all"): string;
  index(kind: "wf" | "st" | "ns", value: string): string;
  index(kind: "all" | "wf" | "st" | "ns", value?: string): string {
    return kind === "all" ? `${this.prefix}idx:all` : `${this.prefix}idx:${kind}:${value}`;
  }
}
