/**
 * The scripts' flat replies, cut into one result per call: Redis 7.0 spends
 * more on each table a script returns than on the values in it, so the hot
 * scripts return one flat array where a table per item would do.
 */
import { RedisClaim } from "./redis-claim.js";
import type { OutcomeReply } from "./round-batcher.js";

/** Complete's reply: per outcome 0 (lease lost), 1 (committed), or the count of the values that follow. */
export function outcomeReplies(flat: readonly unknown[]): OutcomeReply[] {
  const replies: OutcomeReply[] = [];
  for (let i = 0; i < flat.length;) {
    const head = flat[i] as number;
    if (head === 0 || head === 1) {
      replies.push(head);
      i += 1;
    } else {
      replies.push(flat.slice(i + 1, i + 1 + head) as string[]);
      i += 1 + head;
    }
  }
  return replies;
}

/** Claim's reply: per task the count of its dependency values, its fields, then those values. */
export function claimedTasks(flat: readonly unknown[]): RedisClaim[] {
  const tasks: RedisClaim[] = [];
  for (let i = 0; i < flat.length;) {
    const deps = flat[i] as number;
    tasks.push(new RedisClaim(flat, i + 1, deps));
    i += 1 + RedisClaim.FIELDS + deps;
  }
  return tasks;
}

/** A batch script's reply of one entry per call, each introduced by the count of its values. */
export function countedEntries(flat: readonly unknown[]): unknown[][] {
  const entries: unknown[][] = [];
  for (let i = 0; i < flat.length;) {
    const count = flat[i] as number;
    entries.push(flat.slice(i + 1, i + 1 + count));
    i += 1 + count;
  }
  return entries;
}
