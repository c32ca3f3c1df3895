/** Which requests need no credentials: routes the server marks `public`, and the configured `publicRoutes`. */
import type { HttpRequestInfo } from "@flowmesh/server";

/** A matcher for `["/healthz", "GET /openapi.json"]`: by route template or path, optionally by method. */
export function publicRouteMatcher(entries: readonly string[]): (request: HttpRequestInfo) => boolean {
  const rules = entries.map((entry) => {
    const space = entry.indexOf(" ");
    return space === -1
      ? { method: undefined, path: entry }
      : { method: entry.slice(0, space), path: entry.slice(space + 1) };
  });
  return (request) =>
    request.action === "public" ||
    rules.some(
      (rule) =>
        (rule.method === undefined || rule.method === request.method.toUpperCase()) &&
        (rule.path === request.route || rule.path === request.path),
    );
}
