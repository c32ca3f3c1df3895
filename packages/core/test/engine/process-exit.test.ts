/**
 * An engine must not keep its process alive for work that will never run: a
 * cancelled run whose task was waiting to retry leaves no timer behind. Runs
 * a real child process against the built package (`pnpm test` builds first).
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const DIST = fileURLToPath(new URL("../../dist/index.js", import.meta.url));

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Runs `source` as an ES module in a child node; kills it after `killAfterMs`. */
async function runScript(
  source: string,
  killAfterMs: number,
): Promise<{
  code: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
  stdout: string;
  stderr: string;
}> {
  const dir = await mkdtemp(join(tmpdir(), "flowmesh-exit-"));
  dirs.push(dir);
  const file = join(dir, "script.mjs");
  await writeFile(file, source);
  const started = performance.now();
  const child = spawn(process.execPath, [file], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const killer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, ms: performance.now() - started, stdout, stderr });
    });
  });
}

describe("process exit", () => {
  it("exits on its own after cancelling a run whose task waits 5 s to retry (no close())", async () => {
    expect(existsSync(DIST), `${DIST} is missing: run \`pnpm build\` first`).toBe(true);
    const script = `
      import { createFlowMesh, createLogger } from ${JSON.stringify(DIST)};
      // No sweep during the test: the cancel itself must drop the retry timer.
      const fm = createFlowMesh({ logger: createLogger({ level: "silent" }), sweepInterval: "1h" });
      await fm.register({
        name: "wf",
        tasks: [
          {
            name: "t",
            retry: { maxRetries: 3, baseDelay: "5s", jitter: false },
            handler: () => {
              throw new Error("boom");
            },
          },
        ],
      });
      const retrying = new Promise((resolve) => fm.events.once("task:retrying", resolve));
      const handle = await fm.start("wf");
      const { delayMs } = await retrying;
      await fm.cancel(handle.id);
      const run = await handle.wait();
      console.log(JSON.stringify({ status: run.status, task: run.tasks.t.status, attempts: run.tasks.t.attempts, delayMs }));
      // No fm.close(): nothing left to do must keep the process alive.
    `;
    const result = await runScript(script, 4_000);
    expect(result.stderr).toBe("");
    expect(result.signal).toBeNull();
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout.trim())).toEqual({
      status: "cancelled",
      task: "cancelled",
      attempts: 1,
      delayMs: 5_000,
    });
    expect(result.ms).toBeLessThan(2_000);
  });
});
