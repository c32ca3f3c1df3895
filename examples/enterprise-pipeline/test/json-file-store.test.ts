import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunRecord, RunStatus } from "@flowmesh/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { JsonFileStore } from "../src/json-file-store.js";

function record(id: string, status: RunStatus = "running", output: unknown = { rows: 3 }): RunRecord {
  return {
    id,
    workflow: "etl",
    version: "1",
    namespace: "default",
    status,
    input: { batch: "2025-01-31" },
    taskOrder: ["extract"],
    tasks: {
      extract: { name: "extract", status: "succeeded", dependsOn: [], priority: 0, attempts: 2, output },
    },
    createdAt: 1_700_000_000_000,
  };
}

describe("JsonFileStore", () => {
  let dir: string;
  let store: JsonFileStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "flowmesh-store-"));
    // A directory that does not exist yet: the store creates it on first save.
    store = new JsonFileStore(join(dir, "runs"));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("returns nothing before anything was saved, even without its directory", async () => {
    expect(await store.list()).toEqual([]);
    expect(await store.get("missing")).toBeUndefined();
  });

  it("saves a record as <id>.json and reads back an equal one", async () => {
    await store.save(record("run-1"));
    expect(await readdir(join(dir, "runs"))).toEqual(["run-1.json"]);
    expect(await store.get("run-1")).toEqual(record("run-1"));
  });

  it("replaces the record on every save and lists one record per run", async () => {
    await store.save(record("run-1", "running"));
    await store.save(record("run-2", "running"));
    await store.save(record("run-1", "succeeded", { rows: 4 }));
    const runs = await store.list();
    expect(runs.map((run) => [run.id, run.status]).sort()).toEqual([
      ["run-1", "succeeded"],
      ["run-2", "running"],
    ]);
    expect((await store.get("run-1"))!.tasks.extract!.output).toEqual({ rows: 4 });
  });

  it("writes atomically: after many concurrent saves only whole <id>.json files remain, no temp files", async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `run-${i}`);
    await Promise.all(ids.flatMap((id) => [1, 2, 3].map((n) => store.save(record(id, "running", { n })))));
    expect((await readdir(join(dir, "runs"))).sort()).toEqual(ids.map((id) => `${id}.json`).sort());
    for (const run of await store.list()) {
      // Each file parses and holds one of the records saved for it, whichever save landed last.
      expect([1, 2, 3]).toContain((run.tasks.extract!.output as { n: number }).n);
    }
  });

  it("ignores a temp file left behind by a crash mid-write", async () => {
    await store.save(record("run-1"));
    await writeFile(join(dir, "runs", "run-2.json.0b1c.tmp"), '{"id":"run-2","stat');
    expect((await store.list()).map((run) => run.id)).toEqual(["run-1"]);
  });

  it("deletes a record, and deleting a missing one is a no-op", async () => {
    await store.save(record("run-1"));
    await store.delete("run-1");
    await store.delete("run-1");
    expect(await store.get("run-1")).toBeUndefined();
    expect(await store.list()).toEqual([]);
  });

  it("reports a corrupt record instead of hiding it", async () => {
    await store.save(record("run-1"));
    await writeFile(join(dir, "runs", "run-1.json"), "{ not json");
    await expect(store.get("run-1")).rejects.toThrow(SyntaxError);
  });
});
