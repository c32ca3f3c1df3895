import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalCoordinator } from "@flowmesh/core";
import { describeCoordinatorConformance } from "@flowmesh/core/testing";
import { afterAll } from "vitest";
import { JsonFileStore } from "../src/json-file-store.js";

// A RunStore becomes a Coordinator the way the engine makes it one: wrapped in a
// LocalCoordinator. The wrapped store then passes the suite every backend runs.
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describeCoordinatorConformance("json-file store", () => {
  const dir = mkdtempSync(join(tmpdir(), "flowmesh-conformance-"));
  dirs.push(dir);
  return new LocalCoordinator(new JsonFileStore(dir));
});
