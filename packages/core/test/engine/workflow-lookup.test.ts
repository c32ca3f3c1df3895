import { describe, expect, it } from "vitest";
import { useEngines } from "../support/engine.js";

const engine = useEngines();

describe("engine.workflow()", () => {
  it("returns the latest registered version, an exact version, or undefined", async () => {
    const fm = engine();
    await fm.register({ name: "wf", version: "1", tasks: [{ name: "a", handler: () => 1 }] });
    await fm.register({ name: "wf", version: "2", tasks: [{ name: "a", handler: () => 2 }] });
    expect(fm.workflow("wf")?.plan.version).toBe("2");
    expect(fm.workflow("wf", "1")?.plan.version).toBe("1");
    expect(fm.workflow("wf", "3")).toBeUndefined();
    expect(fm.workflow("other")).toBeUndefined();
  });
});
