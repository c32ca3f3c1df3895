/**
 * A custom hook as a local plugin: prints one line per retry, per finished
 * task and per finished run. Its options are checked by its zod schema when
 * the engine starts; from YAML they arrive as strings, hence `z.coerce`.
 */
import { definePlugin } from "@flowmesh/core";
import { z } from "zod";

export const auditTrailOptions = z.object({
  /** Printed at the start of every line. @default "audit" */
  prefix: z.string().min(1).default("audit"),
  /** Tasks slower than this are marked SLOW. @default 250 */
  slowTaskMs: z.coerce.number().int().min(0).default(250),
});

export default definePlugin({
  name: "audit-trail",
  options: auditTrailOptions,
  setup(ctx, options) {
    const print = (text: string) => console.log(`${options.prefix}  ${text}`);
    ctx.hooks.onRetry.tap((task, retry) => {
      const reason = retry.error instanceof Error ? retry.error.message : String(retry.error);
      print(`${task.taskName.padEnd(15)} attempt ${retry.attempt} failed: ${reason}, retrying`);
    });
    ctx.hooks.afterTask.tap((task, result) => {
      const slow = result.durationMs > options.slowTaskMs ? `  SLOW (over ${options.slowTaskMs} ms)` : "";
      print(`${task.taskName.padEnd(15)} ${result.status} on attempt ${result.attempt}${slow}`);
    });
    ctx.hooks.afterWorkflow.tap((run) => {
      const tasks = Object.keys(run.tasks).length;
      print(`run of ${run.workflow} ${run.status.toUpperCase()} (${tasks} tasks)`);
    });
  },
});
