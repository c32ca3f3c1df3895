import { describe, expect, it } from "vitest";
import { createLogger, definePlugin } from "../../src/index.js";
import { LineCapture, useEngines } from "../support/engine.js";

const engine = useEngines();
const MESSAGE =
  'workflow "guarded" names task policies but no plugin applies them (install @flowmesh/plugin-resilience): they are ignored';

const guarded = {
  name: "guarded",
  tasks: [
    { name: "charge", policies: ["payments-api"], handler: () => 1 },
    { name: "plain", handler: () => 2 },
  ],
};

describe("task policies without a plugin to apply them", () => {
  it("warns once at registration, naming the workflow, tasks and policies", async () => {
    const out = new LineCapture();
    const fm = engine({ logger: createLogger({ destination: out, level: "warn" }) });
    await fm.register(guarded);
    const warnings = out.lines.filter((l) => l.message === MESSAGE);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      level: "warn",
      workflow: "guarded",
      tasks: [{ task: "charge", policies: ["payments-api"] }],
    });
  });

  it("says nothing when a plugin provides taskPolicies, or no task names a policy", async () => {
    const out = new LineCapture();
    const provider = definePlugin({
      name: "policies",
      setup: (ctx) => ctx.provide("taskPolicies", { has: (name) => name === "payments-api" }),
    });
    const fm = engine({ logger: createLogger({ destination: out, level: "warn" }), plugins: [provider()] });
    await fm.register(guarded);
    const bare = engine({ logger: createLogger({ destination: out, level: "warn" }) });
    await bare.register({ name: "bare", tasks: [{ name: "t", handler: () => 1 }] });
    expect(out.lines.filter((l) => String(l.message).includes("task policies"))).toEqual([]);
  });
});
