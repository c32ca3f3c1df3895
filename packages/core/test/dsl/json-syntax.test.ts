import { describe, expect, it } from "vitest";
import { findJsonSyntaxError } from "../../src/dsl/json-syntax.js";

/** A small seeded generator: the same strings on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const parses = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe("findJsonSyntaxError", () => {
  it.each([
    ["{}", undefined],
    ['  {"a": [1, -2.5e+3, true, false, null, "x\\u00e9\\n\\"", {}, []]}\n', undefined],
    ['"just a string"', undefined],
    ["0", undefined],
    ["01", 1],
    ["-", 0],
    ["1.", 1],
    [".5", 0],
    ['{"a" 1}', 5],
    ['{"a": }', 6],
    ['{"a": 1,}', 8],
    ["[1,]", 3],
    ["[1 2]", 3],
    ['{"a": "\\x"}', 7],
    ['{"a": "\\u12g4"}', 7],
    ['{"a": "b', 6],
    ["[", 1],
    ["", 0],
    ["{} x", 3],
  ])("%j: error at %s", (text, offset) => {
    expect(findJsonSyntaxError(text)?.offset).toBe(offset);
  });

  it("agrees with JSON.parse on 20,000 generated near-JSON strings", () => {
    const next = random(7);
    const pieces = [
      "{",
      "}",
      "[",
      "]",
      ",",
      ":",
      '"a"',
      '"b',
      "1",
      "-0",
      "2.5",
      "1e3",
      "true",
      "nul",
      " ",
      "\n",
      '"\\n"',
      '"\\q"',
      "\t",
      "x",
    ];
    let valid = 0;
    for (let i = 0; i < 20_000; i++) {
      const length = 1 + Math.floor(next() * 12);
      const text = Array.from({ length }, () => pieces[Math.floor(next() * pieces.length)]).join("");
      const ok = parses(text);
      if (ok) valid++;
      expect(findJsonSyntaxError(text) === undefined, text).toBe(ok);
    }
    // The corpus has both kinds, or the comparison proves little.
    expect(valid).toBeGreaterThan(200);
  });

  it("scans a megabyte of nested brackets without recursion", () => {
    expect(findJsonSyntaxError(`${"[".repeat(500_000)}${"]".repeat(500_000)}`)).toBeUndefined();
  });
});
