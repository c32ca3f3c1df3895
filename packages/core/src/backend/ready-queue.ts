/**
 * Ready tasks ordered by priority (higher first), then FIFO. A task is a
 * (run, index) pair, stored flat so queueing allocates nothing. Priorities are
 * few in practice, so each gets its own FIFO bucket: push and shift are O(1)
 * but for the rare new priority, which inserts into a short sorted list.
 */
export class ReadyQueue<R> {
  private readonly buckets = new Map<number, PairFifo<R>>();
  /** Distinct priorities with a bucket, highest first. */
  private priorities: PairFifo<R>[] = [];
  private priorityValues: number[] = [];
  /** Entries queued, stale ones included. */
  size = 0;
  /** The pair the last successful `shift()` returned. */
  run: R | undefined = undefined;
  index = -1;

  push(priority: number, run: R, index: number): void {
    let bucket = this.buckets.get(priority);
    if (bucket === undefined) {
      bucket = new PairFifo<R>();
      this.buckets.set(priority, bucket);
      let at = 0;
      while (at < this.priorityValues.length && this.priorityValues[at]! > priority) at++;
      this.priorityValues.splice(at, 0, priority);
      this.priorities.splice(at, 0, bucket);
    }
    bucket.push(run, index);
    this.size++;
  }

  /** Takes the next pair into `run`/`index`; false when empty. */
  shift(): boolean {
    for (let i = 0; i < this.priorities.length; i++) {
      const bucket = this.priorities[i]!;
      if (bucket.length > 0) {
        this.size--;
        this.run = bucket.shiftRun();
        this.index = bucket.shiftIndex();
        return true;
      }
    }
    return false;
  }
}

/** Two parallel array queues that advance a head index instead of shifting, compacting now and then. */
class PairFifo<R> {
  private runs: (R | undefined)[] = [];
  private indices: number[] = [];
  private head = 0;

  get length(): number {
    return this.runs.length - this.head;
  }

  push(run: R, index: number): void {
    this.runs.push(run);
    this.indices.push(index);
  }

  shiftRun(): R {
    const run = this.runs[this.head]!;
    this.runs[this.head] = undefined;
    return run;
  }

  /** Call after shiftRun: completes the shift. */
  shiftIndex(): number {
    const index = this.indices[this.head++]!;
    if (this.head === this.runs.length) {
      this.runs = [];
      this.indices = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.runs.length) {
      this.runs = this.runs.slice(this.head);
      this.indices = this.indices.slice(this.head);
      this.head = 0;
    }
    return index;
  }
}
