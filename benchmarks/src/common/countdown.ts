/**
 * Waiting for N completions: systems report completions through callbacks
 * (worker events), the benchmark awaits the last one. A system that stalls
 * fails the scenario after `timeoutMs` instead of hanging the run.
 */
export class Countdown {
  private count = 0;
  private readonly done: Promise<void>;
  private resolve!: () => void;
  private reject!: (error: Error) => void;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly target: number,
    private readonly label: string,
  ) {
    this.done = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    if (target === 0) this.resolve();
  }

  /** Counts one completion. */
  tick(n = 1): void {
    this.count += n;
    if (this.count >= this.target) {
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.resolve();
    }
  }

  get value(): number {
    return this.count;
  }

  /** Fails the countdown (a worker error, for instance). */
  fail(error: Error): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.reject(error);
  }

  /** Resolves at the target; rejects when it is not reached within `timeoutMs`. */
  wait(timeoutMs: number): Promise<void> {
    this.timer = setTimeout(
      () =>
        this.reject(
          new Error(`${this.label}: only ${this.count} of ${this.target} done after ${timeoutMs} ms`),
        ),
      timeoutMs,
    );
    return this.done;
  }
}

/** Runs `task(i)` for i in [0, n) with at most `parallel` in flight; resolves when all are done. */
export async function pool(
  n: number,
  parallel: number,
  task: (i: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, n) }, lane));
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects with "`label`: timed out" when `promise` has not settled within `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label}: timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `check` every `intervalMs` until it returns true; rejects after `timeoutMs`. */
export async function until(
  check: () => Promise<boolean>,
  intervalMs: number,
  timeoutMs: number,
  label: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${label}: not done after ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}
