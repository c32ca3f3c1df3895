import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { chain } from "@flowmesh/core/testing";
import { describe, expect, it } from "vitest";
import { RunTemplates } from "../src/run-templates.js";

describe("run templates", () => {
  it("gives one template per graph, workflow, version and namespace", () => {
    const templates = new RunTemplates();
    const graph = chain("a", "b");
    const a = templates.idOf(graph, "wf", "1", "default");
    expect(templates.idOf(graph, "wf", "1", "default")).toBe(a);
    expect(templates.idOf(graph, "wf", "2", "default")).not.toBe(a);
    expect(templates.idOf(graph, "wf", "1", "tenant")).not.toBe(a);
    expect(templates.idOf(chain("a", "b"), "wf", "1", "default")).not.toBe(a);
    expect(templates.size).toBe(4);
  });

  it("cuts a batch into calls within the argument bound, each with the templates its runs name, in order", () => {
    const templates = new RunTemplates();
    const big = chain(...Array.from({ length: 40 }, (_, i) => `t${i}`));
    const small = chain("only");
    const run = (id: string, template: string) => [5, id, "", "", template, 0];
    const tBig = templates.idOf(big, "big", "1", "default");
    const tSmall = templates.idOf(small, "small", "1", "default");
    const args = [...run("r1", tBig), ...run("r2", tSmall), ...run("r3", tBig), ...run("r4", tSmall)];
    // Everything fits: one call, each template once, runs in order.
    const [one, ...none] = templates.calls(args, 10_000);
    expect(none).toEqual([]);
    expect(one![0]).toBe(2);
    expect(one!.filter((v) => v === "r1" || v === "r2" || v === "r3" || v === "r4")).toEqual([
      "r1",
      "r2",
      "r3",
      "r4",
    ]);
    expect(one!.filter((v) => v === "big").length).toBe(2); // the workflow, and its `wf` field value
    // A bound below the big template: each call carries what its runs name, and no call exceeds the
    // bound unless a single run with its template does.
    const calls = templates.calls(args, 60);
    const ids = calls.map((call) => call.filter((v) => typeof v === "string" && /^r\d$/.test(v)));
    expect(ids.flat()).toEqual(["r1", "r2", "r3", "r4"]);
    for (const call of calls) {
      const runs = call.filter((v) => typeof v === "string" && /^r\d$/.test(v)).length;
      if (runs > 1) expect(call.length).toBeLessThanOrEqual(60);
    }
    expect(calls.length).toBeGreaterThan(1);
  });

  it("forgets a graph's templates once the graph is garbage", async () => {
    const script = fileURLToPath(new URL("./fixtures/forget-templates.mjs", import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ["--expose-gc", script], {
      timeout: 20_000,
    });
    expect(JSON.parse(stdout)).toEqual({ kept: 1000, afterGc: 1 });
  });
});
