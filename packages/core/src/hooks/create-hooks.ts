import { AsyncSeriesBailHook, AsyncSeriesHook, SyncWaterfallHook } from "tapable";
import { FlowMeshError } from "../errors.js";
import type { EngineHooks } from "./types.js";

/** Creates the engine's hook instances, each wrapping its taps' errors with plugin and hook names. */
export function createEngineHooks(): EngineHooks {
  const hooks: EngineHooks = {
    beforeWorkflow: new AsyncSeriesHook(["run"], "beforeWorkflow"),
    afterWorkflow: new AsyncSeriesHook(["run"], "afterWorkflow"),
    beforeTask: new AsyncSeriesBailHook(["ctx"], "beforeTask"),
    afterTask: new AsyncSeriesHook(["ctx", "result", "workflow"], "afterTask"),
    onFailure: new AsyncSeriesHook(["ctx", "failure"], "onFailure"),
    onRetry: new AsyncSeriesHook(["ctx", "retry"], "onRetry"),
    onWorkflowFailure: new AsyncSeriesHook(["run"], "onWorkflowFailure"),
    resolveHandler: new AsyncSeriesBailHook(["request"], "resolveHandler"),
    wrapHandler: new SyncWaterfallHook(["handler", "info"], "wrapHandler"),
  };
  for (const [name, hook] of Object.entries(hooks)) wrapTapErrors(name, hook as HookLike);
  return hooks;
}

/** The part of a tapable hook this module touches. */
export interface HookLike {
  taps: { name: string }[];
  intercept(interceptor: { register?: (tap: TapLike) => TapLike }): void;
}

interface TapLike {
  name: string;
  type: "sync" | "async" | "promise";
  fn: (...args: unknown[]) => unknown;
}

/** True when something tapped the hook: callers skip building arguments otherwise. */
export function isTapped(hook: { taps: readonly unknown[] }): boolean {
  return hook.taps.length > 0;
}

/**
 * Wraps every tap registered on `hook` so an error it throws (or rejects with)
 * becomes `FM_ERR_HOOK` naming the tap (the plugin) and the hook. The wrapping
 * happens once at tap time, so calls pay nothing extra.
 */
export function wrapTapErrors(hookName: string, hook: HookLike): void {
  hook.intercept({
    register(tap) {
      const wrap = (error: unknown): FlowMeshError =>
        error instanceof FlowMeshError && error.code === "FM_ERR_HOOK"
          ? error
          : new FlowMeshError(
              "FM_ERR_HOOK",
              `plugin "${tap.name}" failed in hook "${hookName}": ${error instanceof Error ? error.message : String(error)}`,
              { cause: error, details: { plugin: tap.name, hook: hookName } },
            );
      const fn = tap.fn;
      if (tap.type === "promise") {
        return {
          ...tap,
          fn: (...args: unknown[]) => {
            try {
              return Promise.resolve(fn(...args)).catch((error: unknown) => {
                throw wrap(error);
              });
            } catch (error) {
              return Promise.reject(wrap(error));
            }
          },
        };
      }
      if (tap.type === "async") {
        return {
          ...tap,
          fn: (...args: unknown[]) => {
            const callback = args.pop() as (error?: unknown, result?: unknown) => void;
            try {
              return fn(...args, (error?: unknown, result?: unknown) =>
                error ? callback(wrap(error)) : callback(null, result),
              );
            } catch (error) {
              return callback(wrap(error));
            }
          },
        };
      }
      return {
        ...tap,
        fn: (...args: unknown[]) => {
          try {
            return fn(...args);
          } catch (error) {
            throw wrap(error);
          }
        },
      };
    },
  });
}
