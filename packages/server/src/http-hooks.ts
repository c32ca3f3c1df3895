/**
 * Creating the HTTP hook set and adding it where it is missing. The server
 * and every plugin that taps HTTP hooks call {@link ensureHttpHooks}; the
 * first caller adds the hooks, later callers find them, so the order in which
 * the server and plugins come up does not matter.
 */
import { wrapTapErrors } from "@flowmesh/core/plugin";
import { AsyncSeriesBailHook, AsyncSeriesHook, SyncHook } from "tapable";
import type { HttpHooks } from "./hooks.js";

/** Fresh hook instances for the HTTP surface. */
export function createHttpHooks(): HttpHooks {
  return {
    beforeRequest: new AsyncSeriesBailHook(["request"], "beforeRequest"),
    authenticate: new AsyncSeriesBailHook(["request"], "authenticate"),
    authorize: new AsyncSeriesBailHook(["authorization"], "authorize"),
    afterRequest: new AsyncSeriesHook(["exchange"], "afterRequest"),
    routes: new SyncHook(["collector"], "routes"),
  };
}

/** Where the HTTP hooks go: a plugin's context (it has `extendHooks`) or an engine (`engine.hooks`). */
export interface HttpHooksTarget {
  readonly hooks: object;
  extendHooks?(hooks: Partial<HttpHooks>): void;
}

/**
 * Adds the HTTP hooks to `target` unless they are there already (idempotent).
 * A plugin calls `ensureHttpHooks(ctx)` in its `setup` before tapping
 * `ctx.hooks.authenticate`; `createFlowMeshApp` calls it on the engine. On an
 * engine, tap errors are wrapped with the plugin's and the hook's name, as
 * `extendHooks` does for a context.
 */
export function ensureHttpHooks(target: HttpHooksTarget): void {
  const existing = target.hooks as Record<string, unknown>;
  const missing: Partial<Record<keyof HttpHooks, unknown>> = {};
  let count = 0;
  for (const [name, hook] of Object.entries(createHttpHooks())) {
    if (name in existing) continue;
    missing[name as keyof HttpHooks] = hook;
    count++;
  }
  if (count === 0) return;
  if (target.extendHooks !== undefined) {
    target.extendHooks(missing as Partial<HttpHooks>);
    return;
  }
  for (const [name, hook] of Object.entries(missing)) {
    wrapTapErrors(name, hook as Parameters<typeof wrapTapErrors>[1]);
    existing[name] = hook;
  }
}
