/** What a command runs against: the working directory, environment and output streams, and its exit code. */
import type { ExitCode } from "./exit-codes.js";

/** A writable text stream (stdout, stderr, or a string buffer in tests). */
export interface Output {
  write(chunk: string): unknown;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
  rows?: number | undefined;
}

/** The process as a command sees it. */
export interface CliContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: Output;
  stderr: Output;
  /** Set by the command; `main` returns it. */
  exitCode: ExitCode;
}

/** The real process. */
export function processContext(): CliContext {
  return {
    cwd: process.cwd(),
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    exitCode: 0,
  };
}

/** True when `CI` is set to anything but an empty string, "0" or "false". */
export function isCI(env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== "" && ci !== "0" && ci.toLowerCase() !== "false";
}
