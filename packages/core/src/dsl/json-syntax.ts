/**
 * Finds where strict JSON text goes wrong. `JSON.parse` decides whether text
 * is JSON; its messages do not always say where (Node 20: `Unexpected token
 * '}', "..." is not valid JSON`), so this scanner runs on failure to point at
 * the offending character. Iterative: deep nesting cannot overflow the stack.
 */

/** A JSON syntax error: where it is and what was expected. */
export interface JsonSyntaxError {
  offset: number;
  message: string;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERAL = /true|false|null/y;
const HEX4 = /[0-9a-fA-F]{4}/y;
const ESCAPES = new Set(['"', "\\", "/", "b", "f", "n", "r", "t"]);

/** The first syntax error in `text`, or undefined when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const closers: ("}" | "]")[] = [];
  let i = 0;
  let state: "value" | "key" | "after" = "value";
  const skipSpace = (): void => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const fail = (message: string, at = i): JsonSyntaxError => ({
    offset: at,
    message:
      at >= text.length ? `unexpected end of input, ${message}` : `${message}, found ${show(text, at)}`,
  });
  const readString = (): JsonSyntaxError | undefined => {
    const start = i++;
    for (;;) {
      if (i >= text.length) return { offset: start, message: "unterminated string" };
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return undefined;
      }
      if (c < 0x20) return fail("expected a control character in a string to be escaped (\\n, \\t, \\u0000)");
      if (c === 0x5c) {
        const next = text[i + 1];
        if (next === "u") {
          HEX4.lastIndex = i + 2;
          if (!HEX4.test(text)) return fail("expected four hex digits after \\u", i);
          i += 6;
        } else if (next !== undefined && ESCAPES.has(next)) i += 2;
        else return fail('expected an escape such as \\n, \\" or \\u00e9', i);
      } else i++;
    }
  };

  for (;;) {
    skipSpace();
    if (state === "value") {
      const c = text[i];
      if (c === "{" || c === "[") {
        i++;
        skipSpace();
        if (text[i] === (c === "{" ? "}" : "]")) {
          i++;
          state = "after";
        } else {
          closers.push(c === "{" ? "}" : "]");
          state = c === "{" ? "key" : "value";
        }
      } else if (c === '"') {
        const error = readString();
        if (error !== undefined) return error;
        state = "after";
      } else if (
        !matchAt(NUMBER, text, i, (end) => (i = end)) &&
        !matchAt(LITERAL, text, i, (end) => (i = end))
      ) {
        return fail("expected a value (object, array, string, number, true, false or null)");
      } else state = "after";
    } else if (state === "key") {
      if (text[i] !== '"') return fail("expected a double-quoted key");
      const error = readString();
      if (error !== undefined) return error;
      skipSpace();
      if (text[i] !== ":") return fail('expected ":" after a key');
      i++;
      state = "value";
    } else {
      const closer = closers.at(-1);
      if (closer === undefined) return i < text.length ? fail("expected the end of the input") : undefined;
      if (text[i] === closer) {
        closers.pop();
        i++;
      } else if (text[i] === ",") {
        i++;
        skipSpace();
        if (text[i] === closer)
          return fail("expected another item after a comma (trailing commas are not JSON)");
        state = closer === "}" ? "key" : "value";
      } else return fail(`expected "," or "${closer}"`);
    }
  }
}

function matchAt(pattern: RegExp, text: string, at: number, advance: (end: number) => void): boolean {
  pattern.lastIndex = at;
  if (!pattern.test(text)) return false;
  advance(pattern.lastIndex);
  return true;
}

function show(text: string, at: number): string {
  const c = text.codePointAt(at)!;
  return c < 0x20
    ? `U+${c.toString(16).padStart(4, "0").toUpperCase()}`
    : JSON.stringify(String.fromCodePoint(c));
}
