/**
 * Just enough globbing for `workflows:` (Node 20 has no `fs.glob`): `*` and
 * `?` match within one name, `**` any number of folders. Hidden entries are
 * matched only by a pattern segment that starts with `.`; `**` does not
 * descend into `node_modules` or follow symlinked folders.
 */
import { readdirSync, statSync, type Dirent } from "node:fs";
import { join, resolve, sep } from "node:path";

/** True when the pattern has a wildcard (otherwise it is a plain path). */
export function isGlob(pattern: string): boolean {
  return /[*?]/.test(pattern);
}

/** Files matching `pattern` (relative to `dir`, or absolute), sorted. */
export function globFiles(pattern: string, dir: string): string[] {
  const segments = resolve(dir, pattern).split(sep);
  const firstMagic = segments.findIndex(isGlob);
  if (firstMagic < 0) return isFile(segments.join(sep)) ? [segments.join(sep)] : [];
  const base = segments.slice(0, firstMagic).join(sep) || sep;
  const found = new Set<string>();
  walk(base, segments.slice(firstMagic), found);
  return [...found].sort();
}

function walk(path: string, rest: readonly string[], found: Set<string>): void {
  if (rest.length === 0) {
    if (isFile(path)) found.add(path);
    return;
  }
  const [segment, ...tail] = rest as [string, ...string[]];
  if (segment === "**") {
    walk(path, tail, found);
    for (const entry of entries(path)) {
      if (entry.isDirectory() && !entry.name.startsWith(".") && entry.name !== "node_modules")
        walk(join(path, entry.name), rest, found);
    }
    return;
  }
  if (!isGlob(segment)) return walk(join(path, segment), tail, found);
  const matcher = toRegExp(segment);
  for (const entry of entries(path)) {
    if (entry.name.startsWith(".") && !segment.startsWith(".")) continue;
    if (matcher.test(entry.name)) walk(join(path, entry.name), tail, found);
  }
}

function toRegExp(segment: string): RegExp {
  let source = "";
  for (const char of segment) {
    if (char === "*") source += ".*";
    else if (char === "?") source += ".";
    else source += char.replace(/[\\^$.+()|[\]{}]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

function entries(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
