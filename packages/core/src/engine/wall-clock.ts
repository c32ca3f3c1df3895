/**
 * Wall-clock milliseconds from a `performance.now()` reading the caller
 * already has. Reading `Date.now()` costs as much as a small task's whole
 * bookkeeping on some machines (tens of ns); the offset between the two
 * clocks is re-read at most once a second, so a clock step is followed.
 */
import { performance } from "node:perf_hooks";

const REANCHOR_MS = 1000;
let anchoredAt = performance.now();
let offset = Date.now() - anchoredAt;

/** Epoch milliseconds at the moment `performance.now()` returned `perfNow`. */
export function wallClockAt(perfNow: number): number {
  if (perfNow - anchoredAt > REANCHOR_MS) {
    anchoredAt = performance.now();
    offset = Date.now() - anchoredAt;
  }
  return perfNow + offset;
}
