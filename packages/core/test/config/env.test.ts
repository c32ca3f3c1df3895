import { describe, expect, it } from "vitest";
import { substituteEnv } from "../../src/config/env.js";

const env = { HOST: "db.internal", EMPTY: "", PORT: "6379" };

describe("substituteEnv", () => {
  it("replaces ${VAR} anywhere in a string, in nested objects and arrays, and returns a copy", () => {
    const input = { url: "redis://${HOST}:${PORT}/0", list: ["${HOST}", { deep: "x${PORT}x" }], n: 3 };
    const { value, issues } = substituteEnv(input, env);
    expect(issues).toEqual([]);
    expect(value).toEqual({
      url: "redis://db.internal:6379/0",
      list: ["db.internal", { deep: "x6379x" }],
      n: 3,
    });
    expect(input.url).toBe("redis://${HOST}:${PORT}/0");
  });

  it("uses the default of ${VAR:-default} when the variable is unset or empty, as a shell does", () => {
    const { value } = substituteEnv(
      ["${MISSING:-a}", "${EMPTY:-b}", "${HOST:-c}", "${MISSING:-}", "${EMPTY}"],
      env,
    );
    expect(value).toEqual(["a", "b", "db.internal", "", ""]);
  });

  it("keeps a default containing colons and dashes whole", () => {
    expect(substituteEnv("${URL:-redis://localhost:6379/0}", {}).value).toBe("redis://localhost:6379/0");
  });

  it("writes a literal ${ for $${", () => {
    expect(substituteEnv("cost: $${HOST} and ${HOST}", env).value).toBe("cost: ${HOST} and db.internal");
  });

  it("reports an unset variable, an invalid reference and an unclosed ${ with their paths", () => {
    const { issues } = substituteEnv({ a: "${NOPE}", b: ["${1X}"], c: "${HOST" }, env, ["server"]);
    expect(issues).toEqual([
      {
        path: "server.a",
        message: "environment variable NOPE is not set (write ${NOPE:-default} to give it a default)",
      },
      {
        path: "server.b[0]",
        message:
          'invalid reference "${1X}": write ${NAME} or ${NAME:-default}, NAME made of letters, digits and "_"',
      },
      { path: "server.c", message: 'unclosed "${" in "${HOST"' },
    ]);
  });

  it("leaves class instances and functions untouched", () => {
    const date = new Date(0);
    const fn = () => "${HOST}";
    const { value } = substituteEnv({ date, fn }, env);
    expect((value as { date: Date }).date).toBe(date);
    expect((value as { fn: () => string }).fn).toBe(fn);
  });
});
