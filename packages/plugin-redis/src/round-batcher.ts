/**
 * A worker's outcomes and its claim, grouped per turn of the event loop into
 * one round script call (see lua/round.ts): every outcome reported in the turn
 * and at most one claim. A busy worker finishes a batch of tasks and asks for
 * the next batch in the same turn, so each batch costs one request.
 *
 * A second claim made in the same turn goes out a turn later. Redis answers
 * the requests it read together only after running them all, so two claims
 * sent at once come back at once, and the worker's claims would go in step
 * with Redis idle while the worker handles both batches; a turn apart, the
 * second reaches Redis while it runs the first, and each claim's answer
 * arrives while Redis runs the other.
 */
import type { RedisClaim } from "./redis-claim.js";

/**
 * An outcome's result: 0 lease lost, 1 committed, or, when it ended the run, `[status,
 * startedAt, endedAt]`, or (when someone waits for that run) its result (see `decodeResult`).
 */
export type OutcomeReply = 0 | 1 | string[];

/**
 * Runs one round: the claim's size (0 for none) and lease, and the outcomes' concatenated
 * arguments. Resolves with each part's result, or the error that part failed with.
 */
export type SendRound = (max: number, leaseMs: number, outcomes: (string | number)[]) => Promise<RoundReply>;

/** A round's reply: the outcomes' results and the claimed entries, each part failing alone. */
export interface RoundReply {
  readonly outcomes: OutcomeReply[] | Error;
  readonly claimed: RedisClaim[] | Error;
}

interface Waiter<T> {
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

interface PendingClaim extends Waiter<RedisClaim[]> {
  max: number;
  leaseMs: number;
}

export class RoundBatcher {
  private args: (string | number)[] = [];
  private outcomes: Waiter<OutcomeReply>[] = [];
  /** Claims not sent yet, oldest first: one per round. */
  private readonly claims: PendingClaim[] = [];
  private scheduled = false;

  /**
   * @param maxOutcomes outcomes per script at most, so one script never holds Redis for long.
   * @param maxArgs arguments per script at most (an outcome's own are never split): a burst of
   *   large outputs must not make one command of hundreds of thousands of arguments.
   */
  constructor(
    private readonly send: SendRound,
    private readonly maxOutcomes = 256,
    private readonly maxArgs = 8_192,
  ) {}

  /** Queues an outcome (complete's 7 arguments); resolves with its result. */
  complete(args: readonly (string | number)[]): Promise<OutcomeReply> {
    if (this.outcomes.length > 0 && this.args.length + args.length > this.maxArgs) this.flush();
    return new Promise<OutcomeReply>((resolve, reject) => {
      for (const arg of args) this.args.push(arg);
      this.outcomes.push({ resolve, reject });
      if (this.outcomes.length >= this.maxOutcomes) this.flush();
      else this.schedule();
    });
  }

  /** Queues a claim of up to `max` tasks; resolves with the tasks claimed. */
  claim(max: number, leaseMs: number): Promise<RedisClaim[]> {
    return new Promise<RedisClaim[]>((resolve, reject) => {
      this.claims.push({ max, leaseMs, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flush);
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const claim = this.claims.shift();
    const outcomes = this.outcomes;
    if (claim === undefined && outcomes.length === 0) return;
    const args = this.args;
    this.outcomes = [];
    this.args = [];
    // The next claim goes in the next turn's round.
    if (this.claims.length > 0) this.schedule();
    this.send(claim?.max ?? 0, claim?.leaseMs ?? 0, args).then(
      (reply) => {
        const results = reply.outcomes;
        if (results instanceof Error) for (const w of outcomes) w.reject(results);
        else outcomes.forEach((w, i) => w.resolve(results[i]!));
        if (reply.claimed instanceof Error) claim?.reject(reply.claimed);
        else claim?.resolve(reply.claimed);
      },
      (error: unknown) => {
        for (const w of outcomes) w.reject(error);
        claim?.reject(error);
      },
    );
  };
}
