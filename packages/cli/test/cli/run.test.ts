import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  assertBuilt,
  FAILING_YAML,
  PIPELINE_YAML,
  removeProject,
  runCli,
  TASKS_MODULE,
  tempProject,
} from "../helpers.js";

describe("flowmesh run", { timeout: 60_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    assertBuilt();
    dir = await tempProject({
      "tasks.mjs": TASKS_MODULE,
      "pipeline.yaml": PIPELINE_YAML,
      "failing.yaml": FAILING_YAML,
      "pipeline.json": JSON.stringify({
        name: "json-pipeline",
        tasks: [{ name: "extract", handler: "./tasks.mjs#extract" }],
      }),
      "bad.yaml":
        "name: bad\ntasks:\n  - name: a\n    handler: ./tasks.mjs#extract\n    depends_on: [missing]\n",
      "cycle.yaml":
        "name: cycle\ntasks:\n  - name: a\n    depends_on: [b]\n  - name: b\n    depends_on: [a]\n",
      "unresolved.yaml": "name: unresolved\ntasks:\n  - name: a\n    handler: ./tasks.mjs#nope\n",
    });
  });
  afterAll(() => removeProject(dir));

  it("prints one line per event when stdout is not a terminal, then the outputs", async () => {
    const result = await runCli(["run", "pipeline.yaml", "--input", '{"who":"ci"}'], { cwd: dir });
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toMatch(/^run \S+: pipeline v1, 3 tasks$/);
    const events = lines.filter((line) => /^\+\d+\.\d{3}s /.test(line)).map((line) => line.split(/\s+/)[1]);
    expect(events[0]).toBe("run:created");
    expect(events.at(-1)).toBe("run:succeeded");
    // extract + flaky (twice) + total start; flaky's first attempt is retried.
    expect(events.filter((type) => type === "task:started")).toHaveLength(4);
    expect(events.filter((type) => type === "task:retrying")).toHaveLength(1);
    expect(result.stdout).toMatch(/task:retrying\s+flaky\s+attempt 1\s+\S+\s+Error: flaky upstream/);
    expect(result.stdout).toContain('"total": 6');
    expect(result.stdout).toContain('"who": "ci"');
    // No escape codes outside a terminal.
    expect(result.stdout).not.toContain("\x1b[");
  });

  it("uses one line per event when CI is set, even without --json", async () => {
    const result = await runCli(["run", "pipeline.yaml"], { cwd: dir, env: { CI: "true" } });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\n\+\d+\.\d{3}s\s+run:succeeded/);
  });

  it("--json prints every event as NDJSON, then a result line", async () => {
    const result = await runCli(["run", "pipeline.yaml", "--json"], { cwd: dir });
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const result_ = lines.at(-1)!;
    expect(result_).toMatchObject({ type: "result", workflow: "pipeline", status: "succeeded" });
    expect(result_.outputs).toEqual({ extract: { rows: [1, 2, 3], who: "nobody" }, flaky: "ok", total: 6 });
    const events = lines.slice(0, -1);
    expect(events.map((e) => e.type)).toContain("task:retrying");
    expect(events.every((e) => e.runId === result_.runId && typeof e.id === "string")).toBe(true);
    // Ids are in order and each event comes once.
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(events.at(-1)!.type).toBe("run:succeeded");
  });

  it("runs a JSON workflow file", async () => {
    const result = await runCli(["run", "pipeline.json", "--json"], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('"workflow":"json-pipeline"');
  });

  it("exits 1 when the run fails, naming the task and its error", async () => {
    const result = await runCli(["run", "failing.yaml"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/task:failed\s+broken\s+attempt 1\s+\S+\s+Error: disk full/);
    expect(result.stdout).toMatch(/task:upstream_failed\s+after/);
    expect(result.stdout).toMatch(/✖ failing failed in \S+ \(run \S+\): task "broken": disk full/);
    const json = await runCli(["run", "failing.yaml", "--json"], { cwd: dir });
    expect(json.code).toBe(1);
    const last = JSON.parse(json.stdout.trim().split("\n").at(-1)!) as Record<string, unknown>;
    expect(last).toMatchObject({ type: "result", status: "failed", outputs: {} });
    expect(last.error).toMatchObject({ task: "broken", message: "disk full" });
  });

  it("exits 2 with file:line:col for a workflow with DAG errors", async () => {
    const bad = await runCli(["run", "bad.yaml"], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^bad\.yaml:5:\d+ tasks\[0\]\.depends_on\[0\]: .*missing/m);
    expect(bad.stdout).toBe("");
    const cycle = await runCli(["run", "cycle.yaml"], { cwd: dir });
    expect(cycle.code).toBe(2);
    expect(cycle.stderr).toMatch(/^cycle\.yaml:\d+:\d+ .*cycle/m);
  });

  it("exits 2 with file:line:col when a handler cannot be resolved", async () => {
    const result = await runCli(["run", "unresolved.yaml"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^unresolved\.yaml:4:\d+ .*"nope"/m);
  });

  it("exits 2 for a missing file, bad --input, an unknown workflow name and bad flags", async () => {
    const [missing, input, name, flag, level, version] = await Promise.all([
      runCli(["run", "nope.yaml"], { cwd: dir }),
      runCli(["run", "pipeline.yaml", "--input", "{oops"], { cwd: dir }),
      runCli(["run", "no-such-workflow"], { cwd: dir }),
      runCli(["run", "pipeline.yaml", "--bogus"], { cwd: dir }),
      runCli(["run", "pipeline.yaml", "--log-level", "loud"], { cwd: dir }),
      runCli(["run", "pipeline.yaml", "--version", "7"], { cwd: dir }),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.yaml.*no such file/);
    expect(input.code).toBe(2);
    expect(input.stderr).toMatch(/--input: expected JSON/);
    expect(name.code).toBe(2);
    expect(name.stderr).toMatch(/no workflow "no-such-workflow" is registered/);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/unknown option '--bogus'/);
    expect(level.code).toBe(2);
    expect(level.stderr).toMatch(/--log-level.*loud.*Allowed choices/s);
    expect(version.code).toBe(2);
    expect(version.stderr).toMatch(/--version 7: pipeline\.yaml defines version "1"/);
  });

  it("runs a workflow the config lists by name, with logs on stderr at --log-level", async () => {
    const project = await tempProject({
      "flowmesh.config.yaml": "workflows:\n  - flows/*.yaml\n",
      "flows/pipeline.yaml": PIPELINE_YAML.replaceAll("./tasks.mjs", "../tasks.mjs"),
      "tasks.mjs": TASKS_MODULE,
    });
    try {
      const result = await runCli(["--log-level", "info", "run", "pipeline", "--json"], { cwd: project });
      expect(result.code).toBe(0);
      expect(result.stdout.trim().split("\n").at(-1)).toContain('"status":"succeeded"');
      // Logs are JSON lines on stderr (the retry is logged at info), never on stdout.
      const logs = result.stderr
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { level: string; message: string });
      expect(logs.some((log) => log.level === "info" && /retrying/.test(log.message))).toBe(true);
      expect(result.stdout).not.toContain('"level"');
    } finally {
      await removeProject(project);
    }
  });

  it("exits 2 naming the config file when the config is invalid", async () => {
    const project = await tempProject({
      "flowmesh.config.yaml": "concurrency: lots\n",
      "tasks.mjs": TASKS_MODULE,
    });
    try {
      const result = await runCli(["run", "x.yaml"], { cwd: project });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/flowmesh\.config\.yaml.*concurrency/);
    } finally {
      await removeProject(project);
    }
  });
});
