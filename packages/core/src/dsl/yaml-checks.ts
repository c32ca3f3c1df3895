/**
 * Checks the yaml library leaves to its caller, or does in a way hostile
 * input can abuse: nesting depth (composing recurses, and a deep enough
 * document exhausts the stack) and map keys (its own duplicate check compares
 * every pair, quadratic in the keys of a map).
 */
import { isMap, Lexer, Parser, visit, type CST, type Document, type LineCounter } from "yaml";
import { keyText } from "./source-map.js";

/** A problem at an offset of the text. */
export interface OffsetIssue {
  offset: number;
  message: string;
  /** Where to look up the issue's path, when not at `offset` (a tag comes before its node). */
  pathOffset?: number;
}

/**
 * Runs the yaml lexer and parser (both iterative) and checks nesting before
 * anything recursive runs: `[[[[...` is refused at its 65th bracket, without
 * parsing a megabyte of it; other nesting once the tokens are built.
 */
export function parseTokens(
  text: string,
  lineCounter: LineCounter,
  maxDepth: number,
): { tokens: CST.Token[] } | { tooDeep: number } {
  const parser = new Parser(lineCounter.addNewLine);
  lineCounter.addNewLine(0);
  const tokens: CST.Token[] = [];
  let flowDepth = 0;
  // Feeding the parser lexeme by lexeme is what Parser#parse does; the lexer emits "[" and "{" only as flow starts.
  for (const lexeme of new Lexer().lex(text)) {
    if (lexeme === "[" || lexeme === "{") {
      if (++flowDepth > maxDepth) return { tooDeep: parser.offset };
    } else if (lexeme === "]" || lexeme === "}") flowDepth = Math.max(0, flowDepth - 1);
    for (const token of parser.next(lexeme)) tokens.push(token);
  }
  for (const token of parser.end()) tokens.push(token);
  const tooDeep = findTooDeep(tokens, maxDepth);
  return tooDeep === undefined ? { tokens } : { tooDeep };
}

/** The offset of the first collection nested deeper than `maxDepth`, from the parser's tokens. */
function findTooDeep(tokens: readonly CST.Token[], maxDepth: number): number | undefined {
  const stack: [CST.Token, number][] = tokens.map((token) => [token, 0]);
  for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
    const [token, depth] = entry;
    if (token.type === "document") {
      if (token.value !== undefined) stack.push([token.value, depth]);
    } else if (token.type === "block-map" || token.type === "block-seq" || token.type === "flow-collection") {
      if (depth + 1 > maxDepth) return token.offset;
      for (const item of token.items) {
        if ("key" in item && item.key != null) stack.push([item.key, depth + 1]);
        if (item.value !== undefined) stack.push([item.value, depth + 1]);
      }
    }
  }
  return undefined;
}

/** Duplicate keys (in linear time) and keys that are not plain scalars, in document order. */
export function checkKeys(doc: Document, lineOf: (offset: number) => number): OffsetIssue[] {
  const issues: OffsetIssue[] = [];
  visit(doc, {
    Map(_, map) {
      if (!isMap(map)) return;
      const seen = new Map<string, number>();
      for (const pair of map.items) {
        const key = keyText(pair.key);
        const offset = (pair.key as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;
        if (key === undefined) {
          issues.push({ offset, message: "expected a string key, not a collection or an alias" });
          continue;
        }
        const first = seen.get(key);
        if (first === undefined) seen.set(key, offset);
        else
          issues.push({
            offset,
            message: `duplicate key ${JSON.stringify(key)} (first on line ${lineOf(first)})`,
          });
      }
    },
  });
  return issues;
}
