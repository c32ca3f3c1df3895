/**
 * Gives errors raised on a parsed definition (by the schema, the planner, or
 * handler resolution at registration) the file, line and column of what they
 * are about. The checks themselves stay in core: they report paths, this maps
 * the paths to the text.
 */
import { FlowMeshError } from "../errors.js";
import { formatPath, type DefinitionIssue } from "../model/issues.js";
import { locatedError, parsePath } from "./located-error.js";
import { isModuleReference } from "./module-handlers-plugin.js";
import type { ParsedSource } from "./parsed-sources.js";
import type { LocatedIssue } from "./types.js";

/** Issues about a key itself (unknown, or a second spelling of one setting) point at the key, not its value. */
const KEY_ISSUE = /^unknown key|are the same setting|already sets the number of retries/;

/**
 * `FM_ERR_INVALID_DEFINITION` and `FM_ERR_CYCLE` from `planWorkflow`, each
 * issue placed in the text. A cycle points at the dependency that closes it.
 * Other errors are returned unchanged.
 */
export function relocateDefinitionError(error: unknown, parsed: ParsedSource): unknown {
  if (
    !(error instanceof FlowMeshError) ||
    (error.code !== "FM_ERR_INVALID_DEFINITION" && error.code !== "FM_ERR_CYCLE")
  ) {
    return error;
  }
  const details = error.details ?? {};
  const cycles = (details.cycles as string[][] | undefined) ?? [];
  const issues = ((details.issues as DefinitionIssue[] | undefined) ?? []).map((issue, i): LocatedIssue => {
    const keys =
      error.code === "FM_ERR_CYCLE" && cycles[i] ? cyclePath(parsed.raw, cycles[i]) : parsePath(issue.path);
    const at = KEY_ISSUE.test(issue.message) ? "key" : "value";
    return { ...parsed.map.locate(keys, at), path: issue.path || formatPath(keys), message: issue.message };
  });
  return locatedError(error.code, parsed.file, issues, {
    workflow: details.workflow as string | undefined,
    cause: error,
    details: error.code === "FM_ERR_CYCLE" ? { cycles } : {},
  });
}

/**
 * Errors `register()` raised about tasks of a parsed definition, placed at
 * each task's `handler` (or `name`): `FM_ERR_UNRESOLVED_HANDLER` lists them,
 * a resolver plugin's error (`FM_ERR_HOOK`) names one in its cause. Other
 * errors are returned unchanged.
 */
export function relocateTaskError(error: unknown, parsed: ParsedSource): unknown {
  if (!(error instanceof FlowMeshError)) return error;
  const details = error.details ?? {};
  if (error.code === "FM_ERR_UNRESOLVED_HANDLER" && Array.isArray(details.unresolved)) {
    const unresolved = details.unresolved as { task: string; ref: string }[];
    const issues = unresolved.map(({ task, ref }) => ({
      ...taskPlace(parsed, task),
      message: `no handler found for task ${JSON.stringify(task)} (handler ${JSON.stringify(ref)}): ${
        isModuleReference(ref) ? "install moduleHandlers()" : `pass it to handlers({ ${safeKey(ref)} })`
      }, or install a plugin that resolves references`,
    }));
    return locatedError(error.code, parsed.file, issues, {
      workflow: details.workflow as string | undefined,
      cause: error,
      details: { unresolved },
    });
  }
  const cause = error.cause;
  const task = cause instanceof FlowMeshError ? cause.details?.task : undefined;
  if (error.code === "FM_ERR_HOOK" && typeof task === "string") {
    // The hook wrapper quotes the resolver's own FlowMeshError, prefix included.
    const message = error.message.replace(/\[flowmesh\] /g, "");
    return locatedError(error.code, parsed.file, [{ ...taskPlace(parsed, task), message }], {
      workflow: cause instanceof FlowMeshError ? (cause.details?.workflow as string | undefined) : undefined,
      cause: error,
      details: { plugin: details.plugin, hook: details.hook, task },
    });
  }
  return error;
}

// ---------------------------------------------------------------- private helpers

function rawTasks(raw: unknown): Record<string, unknown>[] {
  const tasks = (raw as { tasks?: unknown } | null)?.tasks;
  return Array.isArray(tasks) ? (tasks as Record<string, unknown>[]) : [];
}

/** Where a task's handler is (its `handler` key, else its `name`), as a path and position. */
function taskPlace(parsed: ParsedSource, task: string): { path: string; line: number; column: number } {
  const index = rawTasks(parsed.raw).findIndex((t) => t.name === task);
  if (index === -1) return { path: "", ...parsed.map.locate([]) };
  const key = rawTasks(parsed.raw)[index]!.handler === undefined ? "name" : "handler";
  const keys = ["tasks", index, key];
  return { path: formatPath(keys), ...parsed.map.locate(keys) };
}

/**
 * A cycle `a -> b -> a` (run order) is closed by the first task's dependency
 * on the task before it in the cycle: point there.
 */
function cyclePath(raw: unknown, cycle: readonly string[]): PropertyKey[] {
  const tasks = rawTasks(raw);
  const index = tasks.findIndex((t) => t.name === cycle[0]);
  if (index === -1) return [];
  const key = tasks[index]!.depends_on !== undefined ? "depends_on" : "dependsOn";
  const deps = tasks[index]![key];
  const at = Array.isArray(deps) ? deps.indexOf(cycle[cycle.length - 2]) : -1;
  return at === -1 ? ["tasks", index] : ["tasks", index, key, at];
}

function safeKey(ref: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(ref) ? ref : JSON.stringify(ref);
}
