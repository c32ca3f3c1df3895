import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FaultHarness } from "../../src/testing/index.js";

let dir = "";
let script = "";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "fm-fault-harness-"));
  script = join(dir, "ticker.mjs");
  // Prints a tick every 20 ms with a counter, and its argument and env on start.
  await writeFile(
    script,
    `console.log("start " + process.argv[2] + " " + process.env.FM_LABEL);
     console.error("to stderr");
     let n = 0;
     setInterval(() => console.log("tick " + ++n), 20);
     process.on("SIGTERM", () => { console.log("bye"); process.exit(3); });`,
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("FaultHarness", () => {
  it("spawns a script with args and env, reads its lines and stderr, and SIGKILLs it", async () => {
    const harness = new FaultHarness({ env: { FM_LABEL: "L" } });
    try {
      const worker = harness.spawn({ script, args: ["A"] });
      expect(await worker.waitForLine(/^start/)).toBe("start A L");
      await worker.waitForLine("tick 2");
      expect(worker.stderr).toContain("to stderr");
      expect(await worker.kill()).toEqual({ code: null, signal: "SIGKILL" });
      expect(worker.alive).toBe(false);
    } finally {
      await harness.cleanup();
    }
  });

  it("freezes a process with pause() and lets it go on with resume()", async () => {
    const harness = new FaultHarness({ script });
    try {
      const worker = harness.spawn({ args: ["B"] });
      await worker.waitForLine("tick 1");
      worker.pause();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const frozenAt = worker.lines.length;
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(worker.lines.length).toBe(frozenAt);
      worker.resume();
      await worker.waitForLine(`tick ${frozenAt + 1}`, 5000);
      expect(await worker.stop()).toEqual({ code: 3, signal: null });
      expect(worker.lines.at(-1)).toBe("bye");
    } finally {
      await harness.cleanup();
    }
  });

  it("rejects a wait when the process exits first, and cleanup() kills what is left, paused or not", async () => {
    const harness = new FaultHarness({ script });
    const a = harness.spawn({ args: ["C"] });
    const b = harness.spawn({ args: ["D"] });
    await a.waitForLine("tick 1");
    await b.waitForLine("tick 1");
    const waiting = a.waitForLine("never printed", 10_000);
    void a.kill();
    await expect(waiting).rejects.toThrow(/exited \(SIGKILL\) before printing/);
    b.pause();
    await harness.cleanup();
    expect(harness.all.every((w) => !w.alive)).toBe(true);
  });
});
