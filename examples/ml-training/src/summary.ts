/**
 * The printed summary: in what order the tasks ran (priorities at work), and
 * what each received from upstream and handed on.
 */
import type { RunEvent, RunRecord, WorkflowDefinitionInput } from "@flowmesh/core";
import type { Dataset, Evaluation, Model } from "./model.js";
import type { Deployment } from "./pipeline.js";

export interface SummaryInput {
  definition: WorkflowDefinitionInput;
  run: RunRecord;
  events: readonly RunEvent[];
}

/** Tasks in the order they started, from the run's event log. */
export function executionOrder(events: readonly RunEvent[]): string[] {
  return events.filter((event) => event.type === "task:started").map((event) => event.task!);
}

export function formatSummary({ definition, run, events }: SummaryInput): string {
  const priorities = new Map(definition.tasks.map((t) => [t.name, t.priority ?? 0]));
  const duration = (run.endedAt ?? run.createdAt) - (run.startedAt ?? run.createdAt);
  const lines = [
    `FlowMesh ML training: workflow "${definition.name}", written as a @workflow class with ${definition.tasks.length} @task methods`,
    `Run ${run.id} ${run.status.toUpperCase()} in ${duration} ms`,
    "",
    "Execution order (one task at a time: among ready tasks, the higher priority runs first)",
    ...executionOrder(events).map(
      (name, i) => `  ${i + 1}. ${name.padEnd(16)} priority ${String(priorities.get(name) ?? 0).padStart(2)}`,
    ),
    "",
    "Data passing (each task reads its upstream outputs by name from ctx.deps)",
  ];
  const out = (name: string) => run.tasks[name]?.output;
  const data = out("load_data") as Dataset | undefined;
  const stats = out("profile_data") as { count: number; mean: number } | undefined;
  const model = out("train_model") as Model | undefined;
  const evaluation = out("evaluate_model") as Evaluation | undefined;
  const deployment = out("deploy_model") as Deployment | undefined;
  const described: Record<string, string | undefined> = {
    load_data: data && `→ ${data.train.length} training and ${data.test.length} test samples`,
    profile_data: stats && `← load_data: ${stats.count} labels, mean ${stats.mean.toFixed(3)}`,
    train_model:
      model &&
      `← load_data: y = ${model.weight.toFixed(3)}·x + ${model.bias.toFixed(3)} after ${model.epochs} epochs (loss ${model.loss.toFixed(4)})`,
    evaluate_model:
      evaluation &&
      `← load_data, train_model: MSE ${evaluation.mse.toFixed(4)}, R² ${evaluation.r2.toFixed(4)}`,
    deploy_model:
      deployment &&
      `← train_model, evaluate_model: version ${deployment.version} live on ${deployment.stage} at ${deployment.endpoint}`,
  };
  for (const name of executionOrder(events)) {
    const text = described[name];
    if (text !== undefined) lines.push(`  ${name.padEnd(16)} ${text}`);
  }
  if (run.error) lines.push("", `Failed at ${run.error.task ?? "?"}: ${run.error.message}`);
  return lines.join("\n");
}
