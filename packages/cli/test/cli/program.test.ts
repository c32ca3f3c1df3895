import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  assertBuilt,
  removeProject,
  runCli,
  startCli,
  TASKS_MODULE,
  tempProject,
  type CliProcess,
} from "../helpers.js";

const SLOW_YAML =
  "name: slow\ntasks:\n  - name: wait\n    handler: ./tasks.mjs#slow\n  - name: next\n    handler: ./tasks.mjs#extract\n    depends_on: [wait]\n";

describe("the flowmesh program", { timeout: 60_000 }, () => {
  let dir: string;
  const running: CliProcess[] = [];
  beforeAll(async () => {
    assertBuilt();
    dir = await tempProject({ "tasks.mjs": TASKS_MODULE, "slow.yaml": SLOW_YAML });
  });
  afterEach(() => {
    for (const child of running.splice(0)) child.kill();
  });
  afterAll(() => removeProject(dir));

  it("prints its version and help with exit 0, and exits 2 for an unknown command", async () => {
    const [version, help, unknown] = await Promise.all([
      runCli(["--version"], { cwd: dir }),
      runCli(["help", "run"], { cwd: dir }),
      runCli(["launch"], { cwd: dir }),
    ]);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--input <json|@file>");
    expect(help.stdout).toContain("--log-level <level>");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'launch'/);
  });

  it("Ctrl-C cancels the run: the running task is aborted, the rest never runs, exit 1", async () => {
    const run = startCli(["run", "slow.yaml"], { cwd: dir });
    running.push(run);
    await run.waitFor(/task:started\s+wait/);
    run.child.kill("SIGINT");
    const exit = await run.exited;
    expect(exit.code).toBe(1);
    expect(run.stderr()).toContain("cancelling the run");
    expect(run.stdout()).toMatch(/run:cancelled/);
    expect(run.stdout()).not.toMatch(/task:started\s+next/);
    expect(run.stdout()).toMatch(/✖ slow cancelled .*cancelled from the command line/);
  });
});
