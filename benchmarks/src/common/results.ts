/** Writes a suite's figures as JSON next to `latest.json` (git-ignored), for tracking across commits. */
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import { fileURLToPath } from "node:url";

const RESULTS_DIR = new URL("../../results/", import.meta.url);

/** The machine, so figures from different runs can be compared honestly. */
export function machine(): Record<string, unknown> {
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    loadAverage: os.loadavg(),
  };
}

/** Writes `results/<name>.json` and returns its path. */
export async function writeResults(name: string, data: unknown): Promise<string> {
  const dir = fileURLToPath(RESULTS_DIR);
  await mkdir(dir, { recursive: true });
  const path = `${dir}${name}.json`;
  await writeFile(path, `${JSON.stringify(data, null, 2)}\n`);
  return path;
}

/** One line on stderr: what the suite is doing now (stdout carries only the tables). */
export function progress(message: string): void {
  process.stderr.write(`· ${message}\n`);
}

/** A line describing the machine's load, printed above every suite's tables. */
export function loadLine(): string {
  const [one, five] = os.loadavg();
  return `machine: ${os.cpus().length} cores, load average ${one!.toFixed(2)} (1 min) / ${five!.toFixed(2)} (5 min), node ${process.version}`;
}
