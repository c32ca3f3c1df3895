/**
 * A custom storage backend: a `RunStore` keeping one JSON file per run in a
 * directory. That is all a store has to do; core wraps it in a local
 * coordinator (the queue lives in process), saves every state change through
 * it, and on start resumes unfinished runs without re-running saved tasks.
 */
import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RunRecord, RunStore } from "@flowmesh/core";

export class JsonFileStore implements RunStore {
  constructor(readonly dir: string) {}

  async save(run: RunRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    // Write aside, flush, then rename: a crash leaves the old record or the new one, never half of one.
    const temp = `${this.file(run.id)}.${randomUUID()}.tmp`;
    await writeFile(temp, JSON.stringify(run), { flush: true });
    await rename(temp, this.file(run.id));
  }

  async get(id: string): Promise<RunRecord | undefined> {
    const text = await readFile(this.file(id), "utf8").catch(ifMissing(undefined));
    return text === undefined ? undefined : (JSON.parse(text) as RunRecord);
  }

  async list(): Promise<RunRecord[]> {
    const names = await readdir(this.dir).catch(ifMissing([]));
    const runs = await Promise.all(
      names.filter((n) => n.endsWith(".json")).map((n) => this.get(n.slice(0, -5))),
    );
    return runs.filter((run) => run !== undefined);
  }

  async delete(id: string): Promise<void> {
    await rm(this.file(id), { force: true });
  }

  private file(id: string): string {
    return join(this.dir, `${id}.json`);
  }
}

/** A `catch` handler: `fallback` when the file or directory does not exist, rethrow anything else. */
function ifMissing<T>(fallback: T): (error: unknown) => T {
  return (error) => {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return fallback;
    throw error;
  };
}
