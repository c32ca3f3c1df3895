/**
 * Shared helpers for the engine, hook and plugin tests: engines that always
 * close, a silent logger, log capture, deferreds and small timing utilities.
 */
import { Writable } from "node:stream";
import { afterEach } from "vitest";
import { createFlowMesh, createLogger, FlowMeshError } from "../../src/index.js";
import type { FlowMesh, FlowMeshOptions, RunRecord, RunStore } from "../../src/index.js";

/** A logger that writes nothing. */
export const silent = () => createLogger({ level: "silent" });

/**
 * Returns a factory of engines (silent logger, short drain) that are all
 * closed after each test of the file, whatever the test did.
 */
export function useEngines(): (options?: FlowMeshOptions) => FlowMesh {
  const engines: FlowMesh[] = [];
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((engine) => engine.close()));
  });
  return (options = {}) => {
    const engine = createFlowMesh({ logger: silent(), drainTimeout: "2s", ...options });
    engines.push(engine);
    return engine;
  };
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Polls until `probe` returns true, failing after `timeoutMs`. */
export async function until(
  probe: () => boolean | Promise<boolean>,
  what = "condition",
  timeoutMs = 1000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`until: ${what} not met within ${timeoutMs} ms`);
    await sleep(5);
  }
}

/**
 * The error a call produced, whether it threw synchronously or rejected.
 * Fails the test if it did neither.
 */
export async function errorOf(fn: () => unknown): Promise<FlowMeshError> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof FlowMeshError) return error;
    throw new Error(`expected a FlowMeshError, got ${String(error)}`, { cause: error });
  }
  throw new Error("expected the call to fail");
}

/** Counts how many calls are in flight at once. */
export class ConcurrencyProbe {
  current = 0;
  max = 0;

  async around<T>(fn: () => Promise<T>): Promise<T> {
    this.current++;
    this.max = Math.max(this.max, this.current);
    try {
      return await fn();
    } finally {
      this.current--;
    }
  }
}

/** A writable stream that keeps every JSON line written to it. */
export class LineCapture extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  private buffer = "";

  override _write(
    chunk: Buffer | string,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    this.buffer += chunk.toString();
    let newline = this.buffer.indexOf("\n");
    while (newline >= 0) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      if (line.trim() !== "") this.lines.push(JSON.parse(line) as Record<string, unknown>);
      newline = this.buffer.indexOf("\n");
    }
    callback();
  }
}

/** A minimal RunStore over a Map: lets tests see exactly what was committed. */
export class MapRunStore implements RunStore {
  readonly records = new Map<string, RunRecord>();
  saves = 0;

  async save(run: RunRecord): Promise<void> {
    this.saves++;
    this.records.set(run.id, structuredClone(run));
  }

  async get(id: string): Promise<RunRecord | undefined> {
    return this.records.get(id);
  }

  async list(): Promise<RunRecord[]> {
    return [...this.records.values()];
  }
}
