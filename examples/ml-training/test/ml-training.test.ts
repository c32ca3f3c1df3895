import { fileURLToPath } from "node:url";
import { createFlowMesh, createLogger, workflowOf, type RunRecord } from "@flowmesh/core";
import { describe, expect, it } from "vitest";
import { runEntryPoint } from "../../test-kit/run-entry-point.js";
import type { Evaluation, Model } from "../src/model.js";
import { DEFAULT_INPUT, ModelRegistry, TrainingPipeline, type TrainingInput } from "../src/pipeline.js";
import { executionOrder, formatSummary } from "../src/summary.js";

const entryPoint = fileURLToPath(new URL("../dist/main.js", import.meta.url));

/** Runs the pipeline once, one task at a time, on a fresh registry. */
async function train(input: TrainingInput = DEFAULT_INPUT) {
  const registry = new ModelRegistry();
  const definition = workflowOf(new TrainingPipeline(registry));
  const fm = createFlowMesh({ concurrency: 1, logger: createLogger({ level: "silent" }) });
  try {
    await fm.register(definition);
    const run: RunRecord = await (await fm.start("ml-training", input)).wait();
    return { run, events: await fm.readEvents(run.id), registry, definition };
  } finally {
    await fm.close();
  }
}

describe("the ML training example", () => {
  it("turns the decorated methods into the workflow's tasks, with their priorities and options", () => {
    const definition = workflowOf(TrainingPipeline);
    expect(definition.name).toBe("ml-training");
    expect(definition.tasks.map((t) => [t.name, t.priority ?? 0, t.dependsOn ?? []])).toEqual([
      ["load_data", 0, []],
      ["profile_data", 1, ["load_data"]],
      ["train_model", 10, ["load_data"]],
      ["evaluate_model", 5, ["load_data", "train_model"]],
      ["deploy_model", 0, ["train_model", "evaluate_model"]],
    ]);
    expect(definition.tasks.find((t) => t.name === "train_model")).toMatchObject({ timeout: 3600, retry: 1 });
  });

  it("runs ready tasks by priority: train_model before profile_data although declared after it", async () => {
    const { run, events } = await train();
    expect(run.status).toBe("succeeded");
    expect(executionOrder(events)).toEqual([
      "load_data",
      "train_model",
      "evaluate_model",
      "profile_data",
      "deploy_model",
    ]);
  });

  it("passes the data to train_model and the model to deploy_model, which deploys it through the instance", async () => {
    const { run, registry } = await train();
    const model = run.tasks.train_model!.output as Model;
    const evaluation = run.tasks.evaluate_model!.output as Evaluation;
    // y = 3x + 2 with a little noise: the fit finds it.
    expect(model.weight).toBeCloseTo(3, 1);
    expect(model.bias).toBeCloseTo(2, 1);
    expect(evaluation.r2).toBeGreaterThan(0.99);
    expect(run.tasks.deploy_model!.output).toEqual({
      stage: "staging",
      version: 1,
      endpoint: "https://models.example.com/staging/linear/v1",
    });
    expect(registry.versions).toEqual([{ stage: "staging", model, evaluation }]);
  });

  it("refuses to deploy a model below the bar, without retrying", async () => {
    const { run, registry } = await train({ ...DEFAULT_INPUT, epochs: 1, minR2: 0.99 });
    expect(run.status).toBe("failed");
    expect(run.error).toMatchObject({ task: "deploy_model", name: "NonRetryableError" });
    expect(run.tasks.deploy_model!.attempts).toBe(1);
    expect(registry.versions).toEqual([]);
  });

  it("summarizes the order, the priorities and what each task passed on", async () => {
    const { run, events, definition } = await train();
    const text = formatSummary({ definition, run, events });
    expect(text).toContain(`Run ${run.id} SUCCEEDED`);
    expect(text).toMatch(/^ {2}2\. train_model +priority 10$/m);
    expect(text).toMatch(/^ {2}4\. profile_data +priority {2}1$/m);
    expect(text).toContain("deploy_model     ← train_model, evaluate_model: version 1 live on staging");
  });

  it(
    "runs from its entry point (compiled by tsc, on this Node): prints the summary and exits 0",
    { timeout: 20_000 },
    async () => {
      const { code, stdout, stderr } = await runEntryPoint(entryPoint);
      expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
      expect(stdout).toMatch(/^Run \S+ SUCCEEDED in \d+ ms$/m);
      expect(stdout).toMatch(
        /1\. load_data[\s\S]*2\. train_model[\s\S]*3\. evaluate_model[\s\S]*4\. profile_data[\s\S]*5\. deploy_model/,
      );
      expect(stdout).toContain("Model registry: 1 version(s) deployed");
    },
  );
});
