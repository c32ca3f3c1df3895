/**
 * Groups the calls made in one turn of the event loop into one script call:
 * a busy worker reports many outcomes (and a busy API server starts many runs)
 * per tick, and one EVALSHA for all of them costs Redis far less than one each.
 */
export class Batcher<R> {
  private args: (string | number)[] = [];
  private waiters: { resolve: (result: R) => void; reject: (error: unknown) => void }[] = [];
  private scheduled = false;

  /**
   * @param send runs one batch: the concatenated arguments of every call, and
   *   returns one result per call, in order.
   * @param maxBatch calls per script at most, so one script never holds Redis for long.
   * @param maxArgs arguments per script at most (a call's own arguments are never split): a burst
   *   of large calls (runs of big graphs) must not make one command of hundreds of thousands of
   *   arguments, which overflows the stack when the client spreads them.
   */
  constructor(
    private readonly send: (args: (string | number)[]) => Promise<R[]>,
    private readonly maxBatch = 256,
    private readonly maxArgs = 8_192,
  ) {}

  add(args: readonly (string | number)[]): Promise<R> {
    if (this.waiters.length > 0 && this.args.length + args.length > this.maxArgs) this.flush();
    return new Promise<R>((resolve, reject) => {
      for (const arg of args) this.args.push(arg);
      this.waiters.push({ resolve, reject });
      if (this.waiters.length >= this.maxBatch) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flush);
      }
    });
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    if (this.waiters.length === 0) return;
    const args = this.args;
    const waiters = this.waiters;
    this.args = [];
    this.waiters = [];
    this.send(args).then(
      (results) => waiters.forEach((w, i) => w.resolve(results[i]!)),
      (error: unknown) => waiters.forEach((w) => w.reject(error)),
    );
  };
}
