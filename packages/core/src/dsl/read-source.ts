/**
 * Reads workflow text safely: a size limit before anything else, strict JSON
 * for JSON, then the yaml parser with no custom or unknown tags, no merge
 * keys, a nesting limit, duplicate keys refused and aliases expanded only up
 * to a limit. Every problem comes back with its line and column.
 */
import {
  Composer,
  isAlias,
  LineCounter,
  visit,
  YAMLParseError,
  type CST,
  type Document,
  type DocumentOptions,
  type ParseOptions,
  type SchemaOptions,
} from "yaml";
import { FlowMeshError } from "../errors.js";
import { formatPath } from "../model/issues.js";
import { findJsonSyntaxError } from "./json-syntax.js";
import { fileLabel, locatedError } from "./located-error.js";
import { createSourceMap, type SourceMap } from "./source-map.js";
import type { LocatedIssue, WorkflowFormat } from "./types.js";
import { checkKeys, parseTokens, type OffsetIssue } from "./yaml-checks.js";

/** Collections nested deeper than this are refused; a workflow needs about five levels. */
export const MAX_DEPTH = 64;

/** Options {@link readSource} needs, resolved. */
export interface ReadOptions {
  format: WorkflowFormat;
  /** The file, for messages. */
  file: string | undefined;
  maxBytes: number;
  maxAliasCount: number;
}

/** Parsed text: its plain value, and a map back to positions in the text. */
export interface SourceDocument {
  readonly value: unknown;
  /** False for a text with no content at all (empty, or only comments). */
  readonly hasContent: boolean;
  readonly file: string | undefined;
  readonly map: SourceMap;
}

const YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  version: "1.2",
  schema: "core",
  // Explicit YAML 1.1 tags (!!binary, !!set, !!timestamp) and merge keys (<<) stay off: plain data only.
  resolveKnownTags: false,
  merge: false,
  customTags: [],
  // Checked by checkKeys in linear time; the library's check is quadratic in the keys of a map.
  uniqueKeys: false,
  prettyErrors: false,
  strict: true,
};

/** Parses `text`; throws `FM_ERR_INVALID_DEFINITION` listing every problem with its position. */
export function readSource(input: string, options: ReadOptions): SourceDocument {
  const { file, format } = options;
  checkSize(input, options);
  // A byte order mark is an encoding detail, not content (JSON.parse would reject it).
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;

  let jsonValue: unknown;
  if (format === "json") {
    try {
      jsonValue = JSON.parse(text);
    } catch (error) {
      const found = findJsonSyntaxError(text) ?? { offset: 0, message: (error as Error).message };
      throw locatedError("FM_ERR_INVALID_DEFINITION", file, [
        { path: "", ...lineColumn(text, found.offset), message: `invalid JSON: ${found.message}` },
      ]);
    }
  }

  const lineCounter = new LineCounter();
  const parsed = parseTokens(text, lineCounter, MAX_DEPTH);
  if ("tooDeep" in parsed) {
    throw locatedError("FM_ERR_INVALID_DEFINITION", file, [
      { path: "", ...lineColumn(text, parsed.tooDeep), message: `nested deeper than ${MAX_DEPTH} levels` },
    ]);
  }

  const doc = composeOne(parsed.tokens, text.length);
  const map = createSourceMap(doc, lineCounter);
  // Syntax errors get no path: in a document that did not parse, the nodes around them are guesses.
  const issues = [
    ...doc.errors.map((error) => ({ ...locate(yamlIssue(error, text), map), path: "" })),
    ...[
      ...doc.warnings.map((warning) => yamlIssue(warning, text)),
      ...(doc.errors.length === 0 ? checkKeys(doc, (offset) => map.position(offset).line) : []),
    ].map((issue) => locate(issue, map)),
  ];
  if (issues.length > 0) throw locatedError("FM_ERR_INVALID_DEFINITION", file, issues);

  const value = format === "json" ? jsonValue : toJS(doc, map, options);
  return { value, hasContent: doc.contents !== null, file, map };
}

// ---------------------------------------------------------------- private helpers

function checkSize(text: string, { file, maxBytes }: ReadOptions): void {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > maxBytes) throw tooLarge(file, bytes, maxBytes);
}

/** The error for input over the size limit, checked before reading or parsing anything. */
export function tooLarge(file: string | undefined, bytes: number, maxBytes: number): FlowMeshError {
  return new FlowMeshError(
    "FM_ERR_INVALID_DEFINITION",
    `${fileLabel(file)}: ${bytes} bytes is over the ${maxBytes}-byte limit for a workflow definition (option maxBytes)`,
    { details: { file, bytes, maxBytes } },
  );
}

function composeOne(tokens: CST.Token[], length: number): Document {
  const composer = new Composer(YAML_OPTIONS);
  let doc: Document | undefined;
  for (const next of composer.compose(tokens, true, length)) {
    if (doc === undefined) {
      doc = next;
      continue;
    }
    doc.errors.push(
      new YAMLParseError(
        [next.range[0], next.range[1]],
        "MULTIPLE_DOCS",
        "a workflow file holds one YAML document; a second one starts here",
      ),
    );
    break;
  }
  // compose(..., forceDoc = true) always yields a document.
  return doc!;
}

interface YamlProblem {
  code: string;
  message: string;
  pos: [number, number];
}

function yamlIssue(problem: YamlProblem, text: string): OffsetIssue {
  const offset = problem.pos[0];
  if (problem.code === "TAG_RESOLVE_FAILED") {
    const tag = text.slice(problem.pos[0], problem.pos[1]);
    const node = /\S/g;
    node.lastIndex = problem.pos[1];
    return {
      offset,
      pathOffset: node.exec(text)?.index ?? offset,
      message: `unknown tag ${JSON.stringify(tag)}: custom tags are not allowed (only !!str, !!int, !!float, !!bool, !!null, !!seq, !!map)`,
    };
  }
  return { offset, message: sentenceCase(problem.message) };
}

function locate(issue: OffsetIssue, map: SourceMap): LocatedIssue {
  const { line, column } = map.position(issue.offset);
  const path = map.pathAt(issue.pathOffset ?? issue.offset);
  return { path: formatPath(path), line, column, message: issue.message };
}

function toJS(doc: Document, map: SourceMap, { file, maxAliasCount }: ReadOptions): unknown {
  try {
    return doc.toJS({ maxAliasCount });
  } catch (error) {
    let firstAlias = 0;
    visit(doc, {
      Alias(_, node) {
        if (isAlias(node)) firstAlias = node.range?.[0] ?? 0;
        return visit.BREAK;
      },
    });
    const { line, column } = map.position(firstAlias);
    const message =
      maxAliasCount === 0
        ? "aliases are not allowed (maxAliasCount is 0)"
        : String(error).includes("Excessive alias count")
          ? `more than ${maxAliasCount} alias expansions (option maxAliasCount): refused as an alias bomb`
          : sentenceCase(error instanceof Error ? error.message : String(error));
    throw locatedError(
      "FM_ERR_INVALID_DEFINITION",
      file,
      [{ path: formatPath(map.pathAt(firstAlias)), line, column, message }],
      { cause: error },
    );
  }
}

/** yaml's messages start with a capital; FlowMesh's do not (an acronym keeps its case). */
function sentenceCase(message: string): string {
  return /^[A-Z][a-z]/.test(message) ? message[0]!.toLowerCase() + message.slice(1) : message;
}

/** Line and column of an offset, for text the yaml parser did not (fully) read: bad JSON, too deep. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
