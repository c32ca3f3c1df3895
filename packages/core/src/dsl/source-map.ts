/**
 * Maps paths in a parsed definition (`tasks[1].depends_on[0]`) back to where
 * they are in the text, and offsets in the text to paths, through the ranges
 * the yaml parser keeps on every node.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from "yaml";
import type { SourcePosition } from "./types.js";

/** Answers "where is this?" for one parsed document. */
export interface SourceMap {
  /**
   * Position of the node at `path`: its value, or its key with `at: "key"`
   * (an unknown key, two spellings of one setting). A path that does not
   * exist (a missing key) gives the position of its closest existing parent.
   */
  locate(path: readonly PropertyKey[], at?: "key" | "value"): SourcePosition;
  /** The path of the innermost key or value containing `offset`. */
  pathAt(offset: number): PropertyKey[];
  /** Line and column of an offset in the text. */
  position(offset: number): SourcePosition;
}

export function createSourceMap(doc: Document, lineCounter: LineCounter): SourceMap {
  const position = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    // A text without a single line break still has line 1.
    return { line: Math.max(line, 1), column: col };
  };
  return {
    position,
    locate(path, at = "value") {
      let node: unknown = doc.contents;
      let offset = startOf(node) ?? 0;
      // Past an alias the nodes are the anchor's, elsewhere in the file: the alias is where this path is.
      let alias: number | undefined;
      for (let i = 0; i < path.length; i++) {
        if (isAlias(node)) {
          alias ??= startOf(node);
          node = node.resolve(doc);
        }
        const key = path[i]!;
        const last = i === path.length - 1;
        if (isMap(node)) {
          const pair = node.items.find((item) => keyText(item.key) === String(key));
          if (pair === undefined) break;
          const keyStart = startOf(pair.key);
          const valueStart = startOf(pair.value);
          // An empty value (`timeout:`) has no range of its own: its key marks the spot.
          offset = (last && at === "key" ? keyStart : (valueStart ?? keyStart)) ?? offset;
          node = pair.value;
        } else if (isSeq(node) && typeof key === "number" && key < node.items.length) {
          node = node.items[key];
          offset = startOf(node) ?? offset;
        } else break;
      }
      return position(alias ?? offset);
    },
    pathAt(offset) {
      const path: PropertyKey[] = [];
      let node: unknown = doc.contents;
      for (;;) {
        if (isMap(node)) {
          const pair = node.items.find((item) => contains(item.key, offset) || contains(item.value, offset));
          const key = pair === undefined ? undefined : keyText(pair.key);
          if (pair === undefined || key === undefined) return path;
          path.push(key);
          if (contains(pair.key, offset)) return path;
          node = pair.value;
        } else if (isSeq(node)) {
          const index = node.items.findIndex((item) => contains(item, offset));
          if (index === -1) return path;
          path.push(index);
          node = node.items[index];
        } else return path;
      }
    },
  };
}

/** A map key as the parsed object spells it; undefined for keys that are not scalars. */
export function keyText(key: unknown): string | undefined {
  return isScalar(key) ? String(key.value) : undefined;
}

function startOf(node: unknown): number | undefined {
  return (node as Node | null | undefined)?.range?.[0] ?? undefined;
}

function contains(node: unknown, offset: number): boolean {
  const range = (node as Node | null | undefined)?.range;
  return range != null && range[0] <= offset && offset < Math.max(range[2], range[0] + 1);
}
