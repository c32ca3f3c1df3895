/**
 * The command that installs a missing package, in the project's own package
 * manager: the `packageManager` field or lockfile nearest to the config file.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

const LOCKFILES: readonly [file: string, manager: Manager][] = [
  ["pnpm-lock.yaml", "pnpm"],
  ["yarn.lock", "yarn"],
  ["bun.lock", "bun"],
  ["bun.lockb", "bun"],
  ["package-lock.json", "npm"],
];

type Manager = "pnpm" | "yarn" | "bun" | "npm";

/** `pnpm add a b`, `npm install a b`, ... for the project `dir` belongs to. */
export function installCommand(dir: string, packages: readonly string[]): string {
  const manager = packageManager(dir);
  return `${manager === "npm" ? "npm install" : `${manager} add`} ${packages.join(" ")}`;
}

/** The package a bare specifier belongs to: `@scope/name/sub` → `@scope/name`. */
export function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

/** True for `pkg`, `@scope/pkg/sub`; false for relative and absolute paths and URLs. */
export function isBareSpecifier(specifier: string): boolean {
  return !/^(\.{1,2}(\/|\\|$)|\/|[A-Za-z]:[\\/]|file:|node:|data:)/.test(specifier);
}

function packageManager(start: string): Manager {
  for (let dir = start; ; dir = dirname(dir)) {
    const declared = declaredManager(join(dir, "package.json"));
    if (declared !== undefined) return declared;
    for (const [file, manager] of LOCKFILES) if (existsSync(join(dir, file))) return manager;
    if (dirname(dir) === dir) return "npm";
  }
}

function declaredManager(file: string): Manager | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const field = (JSON.parse(readFileSync(file, "utf8")) as { packageManager?: unknown }).packageManager;
    const name = typeof field === "string" ? field.split("@")[0] : undefined;
    return name === "pnpm" || name === "yarn" || name === "bun" || name === "npm" ? name : undefined;
  } catch {
    return undefined;
  }
}
