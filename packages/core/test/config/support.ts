/**
 * Helpers for the config tests: fixture folders, throwaway projects in a temp
 * folder, engines that are always closed, and the audit lines plugins write.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";
import type { FlowMesh } from "../../src/index.js";

/** A folder under test/config/fixtures. */
export const fixture = (...parts: string[]): string =>
  fileURLToPath(new URL(`./fixtures/${parts.join("/")}`, import.meta.url));

/** Absolute path of a fixture plugin module, for configs written to temp folders. */
export const fixturePlugin = (name: string): string => fixture("plugins", name);

const builtCore = fileURLToPath(new URL("../../dist/index.js", import.meta.url));

/** TS fixtures import `@flowmesh/core`, which resolves to the build. */
export function assertBuilt(): void {
  if (!existsSync(builtCore)) throw new Error(`${builtCore} is missing: run \`pnpm build\` first`);
}

/** Makes temp projects (`{ "flowmesh.config.yaml": "..." }`) removed after each test. */
export function useProjects(): (files: Record<string, string>) => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return (files) => {
    const dir = mkdtempSync(join(tmpdir(), "flowmesh-config-"));
    dirs.push(dir);
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    return dir;
  };
}

/** Closes every engine handed to `track` after each test. */
export function useEngineCleanup(): (engine: FlowMesh) => FlowMesh {
  const engines: FlowMesh[] = [];
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((engine) => engine.close()));
  });
  return (engine) => {
    engines.push(engine);
    return engine;
  };
}

/** A fresh audit file path in a temp folder removed after each test. */
export function useAuditFile(): () => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), "flowmesh-audit-"));
    dirs.push(dir);
    return join(dir, "audit.jsonl");
  };
}

/** The JSON lines the audit and timing fixture plugins appended. */
export function auditLines(file: string): Record<string, unknown>[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
