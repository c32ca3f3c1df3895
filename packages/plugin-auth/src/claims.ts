/** Reading roles and namespaces out of token claims. */

/** The value at a dotted claim path (`realm_access.roles`), if any. */
export function claimAt(payload: Record<string, unknown>, path: string): unknown {
  let value: unknown = payload;
  for (const part of path.split(".")) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    value = Object.hasOwn(value, part) ? (value as Record<string, unknown>)[part] : undefined;
  }
  return value;
}

/** An array of strings, or a space-separated string (OAuth `scope` style); `undefined` when malformed. */
export function stringList(value: unknown): string[] | undefined {
  if (typeof value === "string") return value.split(" ").filter((s) => s.length > 0);
  if (Array.isArray(value) && value.every((item): item is string => typeof item === "string")) return value;
  return undefined;
}
