import { describe, expect, it } from "vitest";
import * as plugin from "../src/index.js";

// The public surface changes only on purpose: update this list in the same change.
describe("public exports", () => {
  it("@flowmesh/plugin-prometheus exports exactly these runtime names", () => {
    expect(Object.keys(plugin).sort()).toEqual([
      "CIRCUIT_STATE_VALUES",
      "METRICS",
      "OPENMETRICS_CONTENT_TYPE",
      "OTHER",
      "PLUGIN_NAME",
      "PROMETHEUS_CONTENT_TYPE",
      "default",
      "negotiateFormat",
      "optionsSchema",
      "prometheus",
      "renderMetrics",
    ]);
    expect(plugin.default).toBe(plugin.prometheus);
  });
});
