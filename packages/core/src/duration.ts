import { FlowMeshError } from "./errors.js";

/**
 * A duration: a number means **seconds** (the brief's `timeout: 3600` is an hour),
 * a string carries its unit: `"250ms"`, `"30s"`, `"5m"`, `"2h"`, `"1d"`, or a bare
 * number in a string (`"30"`, also seconds).
 */
export type Duration = number | string;

/** The longest duration a timer can wait (about 24.8 days): Node fires longer ones at once. */
export const MAX_DURATION_MS = 2 ** 31 - 1;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PATTERN = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h|d)?\s*$/;

/**
 * Parses a {@link Duration} into milliseconds, or returns an error message
 * saying what was received. Never throws.
 */
export function tryParseDuration(value: unknown): { ms: number } | { error: string } {
  const parsed = parse(value);
  if ("ms" in parsed && parsed.ms > MAX_DURATION_MS) {
    return { error: `must be at most 24.8 days (${MAX_DURATION_MS} ms), received ${JSON.stringify(value)}` };
  }
  return parsed;
}

function parse(value: unknown): { ms: number } | { error: string } {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0) {
      return { error: `expected a non-negative number of seconds, received ${String(value)}` };
    }
    return { ms: Math.round(value * 1000) };
  }
  if (typeof value === "string") {
    const match = PATTERN.exec(value);
    if (!match) {
      return {
        error: `expected a duration such as 30, "250ms", "30s", "5m", "2h" or "1d", received ${JSON.stringify(value)}`,
      };
    }
    return { ms: Math.round(Number(match[1]) * UNIT_MS[match[2] ?? "s"]!) };
  }
  return {
    error: `expected a duration (seconds as a number, or a string like "5m"), received ${typeof value}`,
  };
}

/** Parses a {@link Duration} into milliseconds; throws `FM_ERR_INVALID_OPTIONS` naming `path`. */
export function parseDuration(value: Duration, path = "duration"): number {
  const parsed = tryParseDuration(value);
  if ("error" in parsed) {
    throw new FlowMeshError("FM_ERR_INVALID_OPTIONS", `${path}: ${parsed.error}`, { details: { path } });
  }
  return parsed.ms;
}
