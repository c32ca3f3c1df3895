import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  assertBuilt,
  removeProject,
  startCli,
  tempProject,
  TASKS_MODULE,
  type CliProcess,
} from "../helpers.js";

const CONFIG = "workflows:\n  - flows/*.yaml\n";
const SLOW_YAML = "name: slow\ntasks:\n  - name: wait\n    handler: ../tasks.mjs#slow\n";

describe("flowmesh serve and flowmesh worker", { timeout: 90_000 }, () => {
  let dir: string;
  const running: CliProcess[] = [];
  beforeAll(async () => {
    assertBuilt();
    dir = await tempProject({
      "flowmesh.config.yaml": CONFIG,
      "flows/slow.yaml": SLOW_YAML,
      "tasks.mjs": TASKS_MODULE,
    });
  });
  afterEach(() => {
    for (const process of running.splice(0)) process.kill();
  });
  afterAll(() => removeProject(dir));

  it("serve on port 0 answers /healthz and /openapi.json, then drains a running task on SIGTERM and exits 0", async () => {
    const serve = startCli(["serve", "--port", "0", "--host", "127.0.0.1"], { cwd: dir });
    running.push(serve);
    const [, url] = await serve.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    const openapi = await fetch(`${url}/openapi.json`);
    expect(openapi.status).toBe(200);
    const spec = (await openapi.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(spec.openapi).toMatch(/^3\.1/);
    expect(Object.keys(spec.paths).length).toBeGreaterThan(3);
    // A run whose only task takes 1.5 s is still running when SIGTERM arrives: it must finish first.
    const started = await fetch(`${url}/workflows/slow/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({}),
    });
    expect(started.status).toBeLessThan(300);
    const { id } = (await started.json()) as { id: string };
    await waitUntilRunning(`${url}/runs/${id}`, "wait");
    serve.child.kill("SIGTERM");
    const exit = await serve.exited;
    expect(exit.code).toBe(0);
    expect(serve.stderr()).toContain("received SIGTERM");
    expect(serve.stderr()).toMatch(/"message":"run succeeded"/);
    expect(serve.stderr()).toContain("server stopped");
  });

  it("serve exits 1 at once on a second signal", async () => {
    const serve = startCli(["serve", "--port", "0"], { cwd: dir });
    running.push(serve);
    const [, url] = await serve.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    await fetch(`${url}/workflows/slow/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    serve.child.kill("SIGTERM");
    await serve.waitFor(/received SIGTERM/);
    serve.child.kill("SIGTERM");
    const exit = await serve.exited;
    expect(exit.code).toBe(1);
    expect(serve.stderr()).toContain("exiting without draining");
  });

  it("worker starts (no HTTP) and stops with exit 0 on SIGTERM", async () => {
    const worker = startCli(["worker", "--concurrency", "4"], { cwd: dir });
    running.push(worker);
    await worker.waitFor(/worker started/);
    expect(worker.stdout()).toBe("");
    expect(worker.stderr()).toMatch(/"workflows":\["slow"\]/);
    expect(worker.stderr()).toMatch(/memory backend is not shared/);
    worker.child.kill("SIGTERM");
    const exit = await worker.exited;
    expect(exit.code).toBe(0);
    expect(worker.stderr()).toContain("worker stopped");
  });

  it("worker rejects a bad --concurrency with exit 2", async () => {
    const worker = startCli(["worker", "--concurrency", "zero"], { cwd: dir });
    running.push(worker);
    const exit = await worker.exited;
    expect(exit.code).toBe(2);
    expect(worker.stderr()).toMatch(/expected a positive integer/);
  });
});

/** Polls the run until the task is running (at most 10 s). */
async function waitUntilRunning(runUrl: string, task: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const run = (await (await fetch(runUrl)).json()) as { tasks: Record<string, { status: string }> };
    if (run.tasks[task]?.status === "running") return;
    if (Date.now() > deadline) throw new Error(`task ${task} never ran: ${JSON.stringify(run)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
