/** What {@link ActiveList} links through: no wrapper node per entry. */
export interface Linked<T> {
  prev: T | undefined;
  next: T | undefined;
  listed: boolean;
}

/**
 * The attempts in flight, as an intrusive doubly linked list: adding and
 * removing is a few pointer writes, cheaper than a Set on the per-task path.
 * Iteration (heartbeats, aborts, drain) is rare and works on a copy.
 */
export class ActiveList<T extends Linked<T>> {
  private head: T | undefined = undefined;
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(item: T): void {
    if (item.listed) return;
    item.listed = true;
    item.prev = undefined;
    item.next = this.head;
    if (this.head !== undefined) this.head.prev = item;
    this.head = item;
    this.count++;
  }

  delete(item: T): void {
    if (!item.listed) return;
    item.listed = false;
    if (item.prev !== undefined) item.prev.next = item.next;
    else this.head = item.next;
    if (item.next !== undefined) item.next.prev = item.prev;
    item.prev = item.next = undefined;
    this.count--;
  }

  /** A copy of the entries, safe to iterate while attempts finish. */
  toArray(): T[] {
    const out: T[] = [];
    for (let item = this.head; item !== undefined; item = item.next) out.push(item);
    return out;
  }
}
