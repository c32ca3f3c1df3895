import { describe, expect, it } from "vitest";
import { errorOf, useEngines } from "../support/engine.js";

const engine = useEngines();

describe("namespaces", () => {
  it('runs take their workflow\'s namespace, default "default", and list by it', async () => {
    const fm = engine();
    await fm.register({ name: "billing", namespace: "acme", tasks: [{ name: "a", handler: () => 1 }] });
    await fm.register({ name: "plain", tasks: [{ name: "a", handler: () => 2 }] });
    const billing = await fm.start("billing");
    const plain = await fm.start("plain");
    await Promise.all([billing.result(), plain.result()]);
    expect((await fm.getRun(billing.id))?.namespace).toBe("acme");
    expect((await fm.getRun(plain.id))?.namespace).toBe("default");
    expect((await fm.listRuns({ namespace: "acme" })).runs.map((r) => r.id)).toEqual([billing.id]);
    expect((await fm.listRuns({ namespace: ["acme", "default"] })).runs).toHaveLength(2);
  });

  it("refuses a namespace that is not a plain identifier, naming the path", async () => {
    const error = await errorOf(() =>
      engine().register({ name: "w", namespace: "a b/c", tasks: [{ name: "a", handler: () => 1 }] }),
    );
    expect(error.message).toContain("namespace");
    expect(error.message).toContain("a namespace is 1 to 100 letters, digits, '_', '-' or '.'");
  });
});
