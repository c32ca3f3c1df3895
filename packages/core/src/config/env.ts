/**
 * `${VAR}` and `${VAR:-default}` in config strings, as in a shell or Compose
 * file: the default applies when the variable is unset or empty, `$${` writes
 * a literal `${`, and an unset variable without a default is an error naming
 * the variable and where it was used. Values stay strings.
 */
import { formatPath } from "../model/issues.js";
import type { ConfigIssue } from "./config-source.js";

type Env = Readonly<Record<string, string | undefined>>;

const TOKEN = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([^]*))?$/;

/**
 * Substitutes every string inside arrays and plain objects, returning a copy.
 * Anything else (functions, class instances, numbers) is kept as is.
 */
export function substituteEnv(
  value: unknown,
  env: Env,
  path: readonly PropertyKey[] = [],
): { value: unknown; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const walk = (node: unknown, at: readonly PropertyKey[]): unknown => {
    if (typeof node === "string") return substituteString(node, env, at, issues);
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...at, i]));
    if (isPlainObject(node)) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(node)) out[key] = walk(item, [...at, key]);
      return out;
    }
    return node;
  };
  return { value: walk(value, path), issues };
}

function substituteString(
  text: string,
  env: Env,
  path: readonly PropertyKey[],
  issues: ConfigIssue[],
): string {
  if (!text.includes("${")) return text;
  return text.replace(TOKEN, (token: string, body: string | undefined) => {
    if (token === "$${") return "${";
    if (body === undefined) {
      issues.push({ path: formatPath(path), message: `unclosed "\${" in ${JSON.stringify(text)}` });
      return token;
    }
    const reference = REFERENCE.exec(body);
    if (reference === null) {
      issues.push({
        path: formatPath(path),
        message: `invalid reference "${token}": write \${NAME} or \${NAME:-default}, NAME made of letters, digits and "_"`,
      });
      return token;
    }
    const [, name, fallback] = reference as unknown as [string, string, string | undefined];
    const set = env[name];
    if (fallback !== undefined) return set === undefined || set === "" ? fallback : set;
    if (set !== undefined) return set;
    issues.push({
      path: formatPath(path),
      message: `environment variable ${name} is not set (write \${${name}:-default} to give it a default)`,
    });
    return token;
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
