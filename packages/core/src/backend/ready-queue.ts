/**
 * Ready tasks ordered by priority (higher first), then FIFO. Priorities are few
 * in practice, so each gets its own FIFO bucket: push and shift are O(1) but
 * for the rare new priority, which inserts into a short sorted list.
 */
export class ReadyQueue<T> {
  private readonly buckets = new Map<number, Fifo<T>>();
  /** Distinct priorities with a bucket, highest first. */
  private priorities: number[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(priority: number, item: T): void {
    let bucket = this.buckets.get(priority);
    if (bucket === undefined) {
      bucket = new Fifo<T>();
      this.buckets.set(priority, bucket);
      let at = 0;
      while (at < this.priorities.length && this.priorities[at]! > priority) at++;
      this.priorities.splice(at, 0, priority);
    }
    bucket.push(item);
    this.count++;
  }

  shift(): T | undefined {
    for (let i = 0; i < this.priorities.length; i++) {
      const bucket = this.buckets.get(this.priorities[i]!)!;
      if (bucket.length > 0) {
        this.count--;
        return bucket.shift();
      }
    }
    return undefined;
  }
}

/** An array queue that advances a head index instead of shifting, compacting now and then. */
class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}
