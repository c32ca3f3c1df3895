import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runEntryPoint, type RunOutcome } from "../../test-kit/run-entry-point.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const entryPoint = fileURLToPath(new URL("../dist/main.js", import.meta.url));

/** Runs the example's entry point like `pnpm start` does, from this folder. */
function runExample(env: Record<string, string> = {}): Promise<RunOutcome> {
  return runEntryPoint(entryPoint, { cwd: root, env: { LOG_LEVEL: "warn", ...env } });
}

describe("the config-composition example", () => {
  it(
    "builds its engine from flowmesh.config.yaml, runs the YAML workflow with the local plugin's hook and exits 0",
    { timeout: 20_000 },
    async () => {
      const { code, stdout, stderr } = await runExample();
      expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
      const lines = stdout.trim().split("\n");
      expect(lines[0]).toBe(
        "Loaded flowmesh.config.yaml: plugins flowmesh:handlers, audit-trail; workflows invoice-report",
      );
      // The audit-trail plugin's hooks: the retry, every task (total and overdue run side by side), the run.
      expect(lines.slice(1, 3)).toEqual([
        "audit  fetch_invoices  attempt 1 failed: billing API answered 503, retrying",
        "audit  fetch_invoices  succeeded on attempt 2",
      ]);
      expect(lines.slice(3, 5).sort()).toEqual([
        "audit  overdue         succeeded on attempt 1",
        "audit  total           succeeded on attempt 1",
      ]);
      expect(lines.slice(5)).toEqual([
        "audit  summary         succeeded on attempt 1",
        "audit  run of invoice-report SUCCEEDED (4 tasks)",
        "Summary: 2025-01: €2690.50 invoiced, overdue: INV-1002",
      ]);
    },
  );

  it(
    "passes ${AUDIT_SLOW_MS} to the plugin's options: 0 marks every task slow",
    { timeout: 20_000 },
    async () => {
      const { code, stdout } = await runExample({ AUDIT_SLOW_MS: "0", LOG_LEVEL: "silent" });
      expect(code).toBe(0);
      // A task that takes any time at all is over 0 ms; the run line is unaffected.
      expect(stdout).toMatch(/^audit {2}\w+ +succeeded on attempt \d {2}SLOW \(over 0 ms\)$/m);
    },
  );

  it(
    "refuses a bad option from the environment with the config file and path, and exits 1",
    { timeout: 20_000 },
    async () => {
      const { code, stdout, stderr } = await runExample({ AUDIT_SLOW_MS: "soon" });
      expect(code).toBe(1);
      expect(stdout).toBe("");
      expect(stderr.trim()).toBe(
        "[flowmesh] flowmesh.config.yaml plugins[1].options.slowTaskMs: Invalid input: expected number, received NaN",
      );
    },
  );
});
