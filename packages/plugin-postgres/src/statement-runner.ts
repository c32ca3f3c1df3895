/**
 * Sends the coordinator's statements, each as a named (prepared) query.
 * Deadlocks and serialization failures are the database asking for a retry,
 * so they get one; a dropped connection is retried only for statements that
 * are safe to send twice. The last connection failure is kept for health():
 * from a call that failed to connect until the next one that succeeds, the
 * database counts as unreachable.
 */
import type pg from "pg";
import type { Statement } from "./queries.js";

const RETRYABLE = new Set(["40P01", "40001"]);
const CONNECTION_CODES = new Set(["57P01", "57P02", "57P03", "08000", "08003", "08006", "08001", "08004"]);

export interface StatementRunnerOptions {
  /** The pool, once started. */
  pool(): pg.Pool | undefined;
  /** Starts the coordinator (throws once it is closed); resolves with its pool. */
  start(): Promise<pg.Pool>;
  /** True once the coordinator is closing: a dropped connection is then not retried. */
  closed(): boolean;
}

export class StatementRunner {
  private down: string | undefined;

  constructor(private readonly options: StatementRunnerOptions) {}

  /** Why the database looks unreachable, until a statement succeeds again (see the coordinator's health()). */
  get lastError(): string | undefined {
    return this.down;
  }

  /** A connection failed outside a statement (the pool, LISTEN); `keepFirst`: unless one is noted already. */
  markDown(reason: string, options: { keepFirst?: boolean } = {}): void {
    if (options.keepFirst === true && this.down !== undefined) return;
    this.down = reason;
  }

  /** The database answers again. */
  markUp(): void {
    this.down = undefined;
  }

  /**
   * Runs a named statement, retrying a deadlock or serialization failure.
   * `safe` statements (reads, and claims, whose leases simply expire if their
   * answer is lost) are also retried after a dropped connection.
   */
  async run<R extends pg.QueryResultRow>(
    statement: Statement,
    values: unknown[],
    safe = false,
  ): Promise<R[]> {
    const pool = this.options.pool() ?? (await this.options.start());
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await pool.query<R>({ name: statement.name, text: statement.text, values });
        this.down = undefined;
        return result.rows;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code !== undefined && RETRYABLE.has(code) && attempt < 5) continue;
        const connection = isConnectionError(error);
        if (connection) this.down = (error as Error).message;
        if (connection && safe && attempt < 3 && !this.options.closed()) {
          await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
          continue;
        }
        throw error;
      }
    }
  }
}

/** A dropped or refused connection (as opposed to an error the statement itself raised). */
function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  if (code !== undefined && CONNECTION_CODES.has(code)) return true;
  if (code !== undefined && /^[0-9A-Z]{5}$/.test(code)) return false;
  // Node socket errors (ECONNREFUSED, ECONNRESET, ...) and pg's "Connection terminated" errors.
  return true;
}
