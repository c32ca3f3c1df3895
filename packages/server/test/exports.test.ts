import { describe, expect, it } from "vitest";
import * as server from "../src/index.js";

// The public surface changes only on purpose: update this list in the same change.
describe("public exports", () => {
  it("@flowmesh/server exports exactly these runtime names", () => {
    expect(Object.keys(server).sort()).toEqual([
      "appOptionsSchema",
      "createFlowMeshApp",
      "createHttpHooks",
      "ensureHttpHooks",
      "fastifyFlowMesh",
      "startServer",
      "toNodeHandler",
    ]);
  });

  it("rejects invalid options naming each one", () => {
    expect(() => server.appOptionsSchema.parse({ bodyLimit: -1 })).toThrow();
    expect(() => server.createFlowMeshApp({} as never, { prefix: "flowmesh/" })).toThrow(
      /createFlowMeshApp: option "prefix": expected "" or a path like "\/flowmesh"/,
    );
  });
});
