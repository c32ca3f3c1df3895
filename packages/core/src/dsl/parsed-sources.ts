/**
 * Where each parsed definition came from, kept beside it (not on it: the
 * definition stays a plain, valid input), so that registering it can resolve
 * relative handler modules and place errors in the file.
 */
import type { SourceMap } from "./source-map.js";

/** What is known about a definition `parseWorkflow` returned. */
export interface ParsedSource {
  /** The file as given, for messages; undefined for text without a file. */
  readonly file: string | undefined;
  /** The file's absolute path, for relative module references. */
  readonly source: string | undefined;
  readonly map: SourceMap;
  /** The document as written (keys as the user spelled them). */
  readonly raw: unknown;
}

const sources = new WeakMap<object, ParsedSource>();

export function rememberSource(definition: object, source: ParsedSource): void {
  sources.set(definition, source);
}

/** What `parseWorkflow` knew about this definition object, if it made it. */
export function parsedSource(definition: object): ParsedSource | undefined {
  return sources.get(definition);
}
