import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createFlowMesh, createLogger, type TaskHandler, type WorkflowDefinitionInput } from "@flowmesh/core";
import { waitFor } from "@flowmesh/core/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { JsonFileStore } from "../src/json-file-store.js";

const fixture = fileURLToPath(new URL("./fixtures/chain-worker.mjs", import.meta.url));
const builtStore = fileURLToPath(new URL("../dist/json-file-store.js", import.meta.url));

/** The chain the fixture runs, with this process's handlers: same name, version, tasks and dependencies. */
function chain(handlers: Record<"first" | "second" | "third", TaskHandler>): WorkflowDefinitionInput {
  return {
    name: "resume-chain",
    version: "1",
    tasks: [
      { name: "first", handler: handlers.first },
      { name: "second", dependsOn: ["first"], handler: handlers.second },
      { name: "third", dependsOn: ["second"], handler: handlers.third },
    ],
  };
}

describe("resume after a crash on the JSON-file store", () => {
  let dir: string;
  let child: ChildProcess | undefined;

  beforeEach(async () => {
    if (!existsSync(builtStore)) throw new Error(`${builtStore} is missing: run \`pnpm build\` first`);
    dir = await mkdtemp(join(tmpdir(), "flowmesh-resume-"));
  });

  afterEach(async () => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    child = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it(
    "finishes a run in a new process without re-running the task whose output was saved",
    { timeout: 30_000 },
    async () => {
      const runsDir = join(dir, "runs");
      const store = new JsonFileStore(runsDir);

      // 1. A real process starts the chain: `first` commits, `second` is running when the process is killed.
      const worker = spawn(process.execPath, [fixture, dir], { stdio: ["ignore", "ignore", "pipe"] });
      child = worker;
      let stderr = "";
      worker.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        worker.once("exit", (code, signal) => resolve({ code, signal })),
      );
      const saved = await waitFor(
        async () => {
          if (worker.exitCode !== null)
            throw new Error(`the worker exited early (code ${worker.exitCode}): ${stderr}`);
          const [run] = await store.list();
          const secondStarted = calls(dir).some((c) => c.pid === worker.pid && c.task === "second");
          return run?.tasks.first?.status === "succeeded" &&
            run.tasks.second?.status === "running" &&
            secondStarted
            ? run
            : undefined;
        },
        {
          timeoutMs: 10_000,
          intervalMs: 25,
          what: "the worker process to commit `first` and start `second`",
        },
      );
      worker.kill("SIGKILL");
      expect(await withTimeout(exited, 5_000, "the killed worker to exit")).toEqual({
        code: null,
        signal: "SIGKILL",
      });
      expect(saved.status).toBe("running");
      expect(saved.tasks.first!.output).toEqual({ value: 42, pid: worker.pid });

      // 2. A new engine on the same directory resumes the run.
      const counts = { first: 0, second: 0, third: 0 };
      let secondDeps: unknown;
      const fm = createFlowMesh({
        backend: new JsonFileStore(runsDir),
        logger: createLogger({ level: "silent" }),
      });
      try {
        const registered = fm.register(
          chain({
            first: () => {
              counts.first++;
              return { value: 0 };
            },
            second: (ctx) => {
              counts.second++;
              secondDeps = ctx.deps;
              return { value: (ctx.deps.first as { value: number }).value + 1 };
            },
            third: (ctx) => {
              counts.third++;
              return { value: (ctx.deps.second as { value: number }).value * 2 };
            },
          }),
        );
        await withTimeout(fm.ready(), 5_000, "the new engine to load the store");
        await withTimeout(registered, 5_000, "the workflow to register");
        const run = await withTimeout(fm.handle(saved.id).wait(), 10_000, "the resumed run to finish");

        expect(run.status).toBe("succeeded");
        expect(counts).toEqual({ first: 0, second: 1, third: 1 });
        expect(run.tasks.first).toMatchObject({
          status: "succeeded",
          attempts: 1,
          output: { value: 42, pid: worker.pid },
        });
        expect(secondDeps).toEqual({ first: { value: 42, pid: worker.pid } });
        // The killed attempt counts: the resumed one is the second.
        expect(run.tasks.second).toMatchObject({ status: "succeeded", attempts: 2, output: { value: 43 } });
        expect(run.tasks.third).toMatchObject({ status: "succeeded", attempts: 1, output: { value: 86 } });
      } finally {
        await fm.close();
      }

      // The killed process ran `first` and `second` once each and never reached `third`.
      expect(calls(dir).filter((c) => c.pid === worker.pid)).toEqual([
        { pid: worker.pid, task: "first", attempt: 1 },
        { pid: worker.pid, task: "second", attempt: 1 },
      ]);
      // The outcome is on disk, and the only file is the run's record.
      expect(await store.get(saved.id)).toMatchObject({
        status: "succeeded",
        tasks: { third: { output: { value: 86 } } },
      });
      expect(await readdir(runsDir)).toEqual([`${saved.id}.json`]);
    },
  );
});

/** The fixture's handler calls, from calls.log. */
function calls(dir: string): { pid: number; task: string; attempt: number }[] {
  const file = join(dir, "calls.log");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const [pid, task, attempt] = line.split(" ");
      return { pid: Number(pid), task: task!, attempt: Number(attempt) };
    });
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
