/**
 * Process-fault helpers for backend fault tests: spawn worker scripts as real
 * child processes, read their stdout line by line, SIGKILL / SIGSTOP / SIGCONT
 * them, wait for exits, keep their stderr for failure messages, and make sure
 * none outlives the test. Backend-agnostic: the worker script decides what it
 * connects to.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

export interface SpawnWorkerOptions {
  /** Path of the script to run with this Node binary. */
  script: string;
  args?: readonly string[];
  /** Added to the parent's environment. */
  env?: Record<string, string>;
  /** A label for messages. @default the script's file name and a number */
  name?: string;
  cwd?: string;
}

/** How a worker process ended. */
export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

type LineListener = (line: string) => void;

/** One worker child process. */
export class WorkerProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Every stdout line so far. */
  readonly lines: string[] = [];
  /** Everything written to stderr, for failure messages. */
  stderr = "";
  /** Resolves when the process has exited. */
  readonly exited: Promise<WorkerExit>;
  private exit: WorkerExit | undefined;
  private paused = false;
  private readonly listeners = new Set<LineListener>();

  constructor(options: SpawnWorkerOptions, name: string) {
    this.name = name;
    this.child = spawn(process.execPath, [options.script, ...(options.args ?? [])], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.exited = new Promise((resolve) => {
      this.child.once("close", (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
    this.child.stderr?.setEncoding("utf8");
    this.child.stderr?.on("data", (chunk: string) => {
      // Bounded: a noisy worker must not grow the test's memory without limit.
      this.stderr = (this.stderr + chunk).slice(-64_000);
    });
    if (this.child.stdout !== null) {
      createInterface({ input: this.child.stdout }).on("line", (line) => {
        this.lines.push(line);
        for (const listener of this.listeners) listener(line);
      });
    }
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** True until the process exited. */
  get alive(): boolean {
    return this.exit === undefined;
  }

  /** Calls `listener` for every stdout line from now on; returns a function that stops it. */
  onLine(listener: LineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the first stdout line (already printed or still to come) that matches. */
  waitForLine(match: string | RegExp, timeoutMs = 10_000): Promise<string> {
    const test = (line: string): boolean =>
      typeof match === "string" ? line.includes(match) : match.test(line);
    const seen = this.lines.find(test);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (error: Error | undefined, line?: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        stop();
        if (error === undefined) resolve(line!);
        else reject(error);
      };
      const timer = setTimeout(
        () =>
          finish(
            new Error(
              `${this.name}: no stdout line matching ${String(match)} within ${timeoutMs} ms; stderr:\n${this.stderr.slice(-2000)}`,
            ),
          ),
        timeoutMs,
      );
      const stop = this.onLine((line) => {
        if (test(line)) finish(undefined, line);
      });
      void this.exited.then((exit) =>
        finish(
          new Error(
            `${this.name} exited (${exit.signal ?? exit.code}) before printing ${String(match)}; stderr:\n${this.stderr.slice(-2000)}`,
          ),
        ),
      );
    });
  }

  /** SIGKILL, and wait until it is gone. */
  async kill(): Promise<WorkerExit> {
    if (this.paused) this.resume();
    if (this.alive) this.child.kill("SIGKILL");
    return this.exited;
  }

  /** Asks it to stop (SIGTERM) and waits up to `timeoutMs`, then SIGKILLs it. */
  async stop(timeoutMs = 10_000): Promise<WorkerExit> {
    if (this.paused) this.resume();
    if (this.alive) this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGSTOP: the process freezes (timers, sockets and all) until {@link resume}. */
  pause(): void {
    if (!this.alive) throw new Error(`${this.name} has exited; cannot pause it`);
    this.child.kill("SIGSTOP");
    this.paused = true;
  }

  /** SIGCONT. */
  resume(): void {
    if (this.alive) this.child.kill("SIGCONT");
    this.paused = false;
  }
}

/** Spawns worker processes and guarantees none outlives {@link cleanup}. */
export class FaultHarness {
  private readonly workers: WorkerProcess[] = [];
  private count = 0;

  constructor(private readonly defaults: Partial<SpawnWorkerOptions> = {}) {}

  /** Starts a worker; options extend the harness defaults (env is merged). */
  spawn(options: Partial<SpawnWorkerOptions> = {}): WorkerProcess {
    const merged = {
      ...this.defaults,
      ...options,
      env: { ...this.defaults.env, ...options.env },
    } as SpawnWorkerOptions;
    if (merged.script === undefined) throw new Error("FaultHarness.spawn: no script given");
    const name = merged.name ?? `${merged.script.split("/").at(-1)}#${++this.count}`;
    const worker = new WorkerProcess(merged, name);
    this.workers.push(worker);
    return worker;
  }

  /** Every worker spawned so far, alive or not. */
  get all(): readonly WorkerProcess[] {
    return this.workers;
  }

  /** SIGKILLs every worker still running and waits for them all. */
  async cleanup(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.kill()));
  }
}
