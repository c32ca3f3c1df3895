/**
 * Adaptive batching: calls made while earlier batches are in flight are sent
 * together in the next one. Under light load every call goes out alone at
 * once; under heavy load one round trip serves many callers.
 */
export interface BatcherOptions<T, R> {
  /** Sends one batch; resolves with one result per item, in order. */
  send(items: T[]): Promise<R[]>;
  /** Batches in flight at once. @default 2 */
  maxInFlight?: number;
  /** Items per batch at most. @default 256 */
  maxBatch?: number;
  /** When a batch of several fails: retry its items one by one, so one bad item fails alone. @default true */
  splitOnError?: boolean;
}

interface Pending<T, R> {
  item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

export class Batcher<T, R> {
  private queue: Pending<T, R>[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly maxInFlight: number;
  private readonly maxBatch: number;
  private readonly idle = new Set<() => void>();

  constructor(private readonly options: BatcherOptions<T, R>) {
    this.maxInFlight = options.maxInFlight ?? 2;
    this.maxBatch = options.maxBatch ?? 256;
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.scheduled) {
        // Gather the calls of this tick before sending.
        this.scheduled = true;
        queueMicrotask(this.flush);
      }
    });
  }

  /** Resolves once nothing is queued or in flight. */
  drained(): Promise<void> {
    if (this.inFlight === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.add(resolve));
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.length <= this.maxBatch ? this.queue : this.queue.slice(0, this.maxBatch);
      this.queue = this.queue.length <= this.maxBatch ? [] : this.queue.slice(this.maxBatch);
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        if (this.queue.length > 0) this.flush();
        else if (this.inFlight === 0) for (const resolve of this.idle) resolve();
        if (this.inFlight === 0 && this.queue.length === 0) this.idle.clear();
      });
    }
  };

  private async run(batch: Pending<T, R>[]): Promise<void> {
    try {
      const results = await this.options.send(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(results[i]!));
    } catch (error) {
      if (batch.length > 1 && this.options.splitOnError !== false) {
        await Promise.all(
          batch.map((p) =>
            this.options.send([p.item]).then(
              (results) => p.resolve(results[0]!),
              (single: unknown) => p.reject(single),
            ),
          ),
        );
      } else for (const p of batch) p.reject(error);
    }
  }
}
