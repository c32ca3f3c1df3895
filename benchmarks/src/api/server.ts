/**
 * The server under test, in a child process so the load generator does not
 * share its event loop: `flowmesh serve` (the built CLI, memory backend,
 * in-process worker) with a config in a temp folder that registers a
 * one-task workflow. With `--server=direct`, or when the CLI is not built,
 * `dist/api/direct-server.js` serves the same workflow through `startServer`
 * from `@flowmesh/server`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The workflow the benchmark starts: one no-op task. */
export const WORKFLOW = "ping";

/** A running server process. */
export interface ServerProcess {
  url: string;
  /** How it was started: "flowmesh serve" or "startServer". */
  how: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

const CONFIG = `// Written by the FlowMesh API benchmark.
export default {
  log: { level: "error" },
  workflows: [{ name: "${WORKFLOW}", tasks: [{ name: "only", handler: async () => 1 }] }],
};
`;

/** The built CLI's entry, if it exists. */
export function cliBin(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const bin = join(dirname(require.resolve("@flowmesh/cli/package.json")), "dist", "bin.js");
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

/** Starts the server; `mode` "cli" falls back to "direct" when the CLI is not built. */
export async function startServerProcess(
  mode: "cli" | "direct",
  nodeArgs: readonly string[] = [],
): Promise<ServerProcess> {
  const dir = await mkdtemp(join(tmpdir(), "flowmesh-api-bench-"));
  const configFile = join(dir, "flowmesh.config.mjs");
  await writeFile(configFile, CONFIG);
  const bin = mode === "cli" ? cliBin() : undefined;
  const direct = fileURLToPath(new URL("./direct-server.js", import.meta.url));
  const [how, args] =
    bin === undefined
      ? ["startServer (@flowmesh/server)", [...nodeArgs, direct, WORKFLOW]]
      : [
          "flowmesh serve",
          [...nodeArgs, bin, "serve", "--port", "0", "--host", "127.0.0.1", "--config", configFile],
        ];
  const child = spawn(process.execPath, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  try {
    const url = await listeningUrl(child);
    return {
      url,
      how,
      pid: child.pid,
      stop: async () => {
        await stopChild(child);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stopChild(child);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

const STARTUP_TIMEOUT_MS = 60_000;

/** Resolves with the URL the child prints ("... listening on http://host:port ..."). */
function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(
      () => reject(new Error(`server did not start in ${STARTUP_TIMEOUT_MS} ms:\n${stderr}`)),
      STARTUP_TIMEOUT_MS,
    );
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (http:\/\/[^\s)]+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with code ${code} before listening:\n${stderr}`));
    });
  });
}

/** SIGTERM (graceful drain), then SIGKILL if it has not exited within 15 s. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), 15_000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
