import { createFlowMesh, createLogger } from "@flowmesh/core";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { resilience } from "../src/index.js";

describe("the taskPolicies capability", () => {
  it("tells core the policies are applied, so registering tasks with policies warns about nothing", async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const fm = createFlowMesh({
      logger: createLogger({ destination, level: "warn" }),
      plugins: [resilience({ policies: { "payments-api": { bulkhead: { maxConcurrent: 2 } } } })],
    });
    try {
      await fm.register({
        name: "pay",
        tasks: [{ name: "charge", policies: ["payments-api"], handler: () => 1 }],
      });
      expect(await (await fm.start("pay")).result()).toEqual({ charge: 1 });
      expect(lines.join("")).not.toContain("task policies");
    } finally {
      await fm.close();
    }
  });
});
