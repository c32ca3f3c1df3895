/**
 * `handlers({ extract, transform })`: resolves handler references to
 * functions written in code, by task name (a task without `handler`) or by
 * the name a task gives (`handler: s3_extract`). Built on the public
 * `resolveHandler` hook like any plugin.
 */
import { z } from "zod";
import { describe } from "../model/issues.js";
import { definePlugin } from "../plugins/define-plugin.js";
import type { TaskContext, TaskHandler } from "../types.js";

/**
 * Any task handler, whatever input and dependency types it declares
 * (`(ctx: TaskContext<Input, { extract: Row[] }>) => ...`).
 */
export type AnyTaskHandler = (ctx: TaskContext<never, never>) => unknown;

/** Handlers by reference name. */
export type HandlerMap = Record<string, AnyTaskHandler>;

/** Options of {@link handlers}: the functions, by reference name. @default {} */
export const handlersOptionsSchema = z
  .record(
    z.string(),
    z.custom<AnyTaskHandler>((value) => typeof value === "function", {
      error: (iss) => `expected a function, received ${describe(iss.input)}`,
    }),
  )
  .default({});

/**
 * Resolves references to the functions given, by name. A reference it does
 * not know is left to other resolvers (`moduleHandlers()`), and reported by
 * `register()` if none resolves it. Install it once, with every function.
 */
export const handlers = definePlugin({
  name: "flowmesh:handlers",
  options: handlersOptionsSchema,
  setup(ctx, map) {
    ctx.hooks.resolveHandler.tap((request) =>
      // Own keys only: a task named "constructor" must not resolve to Object.prototype.constructor.
      Object.hasOwn(map, request.ref) ? (map[request.ref] as TaskHandler) : undefined,
    );
  },
});
