import { describe, expect, it } from "vitest";
import * as api from "../src/index.js";

describe("@flowmesh/plugin-redis", () => {
  it("exports exactly these runtime names", () => {
    expect(Object.keys(api).sort()).toEqual([
      "KeyLayout",
      "RedisCoordinator",
      "SCRIPTS",
      "redis",
      "redisCoordinator",
      "redisOptionsSchema",
    ]);
  });

  it("lays keys out under the prefix, each run's keys hash-tagged by its id", () => {
    const keys = new api.KeyLayout("app");
    expect(keys.prefix).toBe("app:");
    expect(keys.run("r1")).toBe("app:run:{r1}");
    expect(keys.events("r1")).toBe("app:run:{r1}:ev");
    expect(keys.index("wf", "orders")).toBe("app:idx:wf:orders");
    expect(new api.KeyLayout("{tenant}:").run("r1")).toBe("{tenant}:run:{r1}");
  });

  it("has one script per state transition (claims and completions share the round script), each with its own SHA", () => {
    const shas = Object.values(api.SCRIPTS).map((s) => s.sha);
    expect(new Set(shas).size).toBe(shas.length);
    expect(Object.keys(api.SCRIPTS).sort()).toEqual(
      ["createRun", "fail", "finishRun", "heartbeat", "recover", "result", "retryRun", "round"].sort(),
    );
  });
});
