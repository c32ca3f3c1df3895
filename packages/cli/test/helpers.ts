/** Runs the built `flowmesh` bin as a child process, in temp folders. */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The built executable; tests of the CLI run what users run. */
export const BIN = fileURLToPath(new URL("../dist/bin.js", import.meta.url));

/** Fails with the command to run when the CLI was not built. */
export function assertBuilt(): void {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first with npx tsc -b packages/cli`);
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Environment for children: no colours, no CI switch unless asked, quiet logs unless asked. */
export function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env.CI;
  delete env.FORCE_COLOR;
  delete env.FLOWMESH_LOG_LEVEL;
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** Runs `flowmesh ...args` to the end (killed after `timeoutMs`). */
export function runCli(
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string | undefined>; timeoutMs?: number },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: childEnv(options.env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A long-running `flowmesh` process (serve, worker) whose output is collected as it comes. */
export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once the output (stdout + stderr) matches; rejects after `timeoutMs` or if the process exits. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code once it exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL if still running. */
  kill(): void;
}

export function startCli(
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string | undefined> },
): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: childEnv(options.env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((check) => check());
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    notify();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    notify();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => {
      resolve({ code, signal });
      notify();
    }),
  );
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
    waitFor(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${pattern}\nstdout: ${stdout}\nstderr: ${stderr}`));
        }, timeoutMs);
        const check = () => {
          const match = (stdout + stderr).match(pattern);
          if (match !== null) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(match);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            clearTimeout(timer);
            waiters.delete(check);
            reject(
              new Error(
                `exited (${child.exitCode ?? child.signalCode}) before ${pattern}\nstdout: ${stdout}\nstderr: ${stderr}`,
              ),
            );
          }
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** A fresh temp folder with these files (paths relative to it). */
export async function tempProject(files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "flowmesh-cli-"));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

export function removeProject(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}

/** Handlers used by the test workflows: plain ESM, no imports. */
export const TASKS_MODULE = `
const sleep = (ms, signal) => new Promise((resolve, reject) => {
  const timer = setTimeout(resolve, ms);
  signal?.addEventListener("abort", () => { clearTimeout(timer); reject(signal.reason); });
});
export async function extract(ctx) { return { rows: [1, 2, 3], who: ctx.input?.who ?? "nobody" }; }
export async function flaky(ctx) { if (ctx.attempt < 2) throw new Error("flaky upstream"); return "ok"; }
export async function total(ctx) { return ctx.deps.extract.rows.reduce((a, b) => a + b, 0); }
export async function broken() { throw new Error("disk full"); }
export async function slow(ctx) { await sleep(1500, ctx.signal); return "slow done"; }
`;

export const PIPELINE_YAML = `name: pipeline
tasks:
  - name: extract
    handler: ./tasks.mjs#extract
  - name: flaky
    handler: ./tasks.mjs#flaky
    retry: { max_retries: 2, base_delay: "10ms" }
  - name: total
    handler: ./tasks.mjs#total
    depends_on: [extract, flaky]
`;

export const FAILING_YAML = `name: failing
tasks:
  - name: extract
    handler: ./tasks.mjs#extract
  - name: broken
    handler: ./tasks.mjs#broken
    depends_on: [extract]
  - name: after
    handler: ./tasks.mjs#total
    depends_on: [broken]
`;
