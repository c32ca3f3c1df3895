import { fileURLToPath } from "node:url";
import { createLogger } from "@flowmesh/core";
import { describe, expect, it } from "vitest";
import { runEntryPoint } from "../../test-kit/run-entry-point.js";
import { formatCheckout, runCheckout } from "../src/checkout.js";

const entryPoint = fileURLToPath(new URL("../dist/main.js", import.meta.url));

describe("the resilient API calls example", () => {
  it(
    "charges every order: the breaker opens during the outage, spares the API, then closes after a trial",
    { timeout: 20_000 },
    async () => {
      const result = await runCheckout({ logger: createLogger({ level: "silent" }) });
      expect(result.run.status).toBe("succeeded");
      expect(result.transitions.slice(0, 3)).toEqual([
        "closed -> open",
        "open -> half_open",
        "half_open -> closed",
      ]);
      // Only a few calls hit the API while it was down, although 12 orders were waiting.
      const failed = result.downstreamCalls.filter((c) => !c.ok);
      expect(failed.length).toBeGreaterThanOrEqual(3);
      expect(failed.length).toBeLessThan(12);
      expect(result.deferrals).toBeGreaterThan(0);
      // Every order succeeded although each task allows only 2 retries: deferrals did not use them.
      for (const task of Object.values(result.run.tasks)) expect(task.attempts).toBeLessThanOrEqual(3);
      // The limiter (5 at once, then 20/s) spaced the successful calls out.
      const ok = result.downstreamCalls.filter((c) => c.ok).map((c) => c.at);
      expect(ok).toHaveLength(12);
      expect(Math.max(...ok) - Math.min(...ok)).toBeGreaterThanOrEqual(150);
      expect(formatCheckout(result)).toContain("12/12 orders charged");
    },
  );

  it("runs as `pnpm start` does and exits 0", { timeout: 20_000 }, async () => {
    const outcome = await runEntryPoint(entryPoint);
    expect(outcome.stderr).toBe("");
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain("checkout run: succeeded (12/12 orders charged)");
    expect(outcome.stdout).toContain("closed -> open");
  });
});
