/**
 * Shared by the examples' tests: runs an example's compiled entry point the
 * way `pnpm start` does, in a child process, and collects what it printed.
 * `pnpm test` builds first, so the entry point exists; the process is killed
 * (and the test fails) if it does not exit in time.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";

export interface RunOptions {
  cwd?: string;
  /** Added to this process's environment. */
  env?: Record<string, string>;
  /** @default 15000 */
  timeoutMs?: number;
}

export interface RunOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

export async function runEntryPoint(entryPoint: string, options: RunOptions = {}): Promise<RunOutcome> {
  if (!existsSync(entryPoint)) throw new Error(`${entryPoint} is missing: run \`pnpm build\` first`);
  const timeoutMs = options.timeoutMs ?? 15_000;
  const child = spawn(process.execPath, [entryPoint], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${entryPoint} did not exit within ${timeoutMs} ms: ${stdout}${stderr}`));
    }, timeoutMs);
    child.once("exit", (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
  return { code, stdout, stderr };
}
