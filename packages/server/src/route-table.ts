/**
 * Every route the app answers (its own and plugins'), by method and path
 * template: the fallback uses it to tell a 405 (the path exists for other
 * methods, listed in `Allow`) from a 404.
 */

interface Entry {
  readonly method: string;
  readonly template: string;
  readonly pattern: RegExp;
}

export class RouteTable {
  private readonly entries: Entry[] = [];

  add(method: string, template: string): void {
    this.entries.push({ method: method.toUpperCase(), template, pattern: compileTemplate(template) });
  }

  /** Methods allowed on `path` (with HEAD wherever GET is), empty when no route matches it. */
  allowed(path: string): string[] {
    const methods = new Set<string>();
    for (const entry of this.entries) {
      if (!entry.pattern.test(path)) continue;
      methods.add(entry.method);
      if (entry.method === "GET") methods.add("HEAD");
    }
    return [...methods];
  }
}

/** Hono path syntax (`/runs/:id`, `/files/*`) as an anchored regular expression. */
export function compileTemplate(template: string): RegExp {
  const source = template
    .split("/")
    .map((segment) => {
      if (segment === "*") return ".*";
      if (segment.startsWith(":")) return "[^/]+";
      return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return new RegExp(`^${source}/?$`);
}
