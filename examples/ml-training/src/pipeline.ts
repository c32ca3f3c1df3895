/**
 * The brief's ML example in the decorator style: a `@workflow` class whose
 * `@task` methods train a model and deploy it. `train_model` gets the data
 * and `deploy_model` gets the model, by task name in `ctx.deps`; priorities
 * decide which ready task runs first.
 */
import { NonRetryableError, task, workflow, type TaskContext } from "@flowmesh/core";
import {
  evaluate,
  fitLinear,
  makeDataset,
  profile,
  type Dataset,
  type Evaluation,
  type Model,
} from "./model.js";

/** The run's input. */
export interface TrainingInput {
  samples: number;
  seed: number;
  epochs: number;
  learningRate: number;
  /** Deploy only a model at least this good on held-out data. */
  minR2: number;
  /** Where to deploy. */
  stage: string;
}

/** What `deploy_model` returns. */
export interface Deployment {
  stage: string;
  version: number;
  endpoint: string;
}

/** A stand-in for a model registry: the pipeline deploys into it. */
export class ModelRegistry {
  readonly versions: { stage: string; model: Model; evaluation: Evaluation }[] = [];

  publish(stage: string, model: Model, evaluation: Evaluation): Deployment {
    this.versions.push({ stage, model, evaluation });
    const version = this.versions.length;
    return { stage, version, endpoint: `https://models.example.com/${stage}/linear/v${version}` };
  }
}

@workflow({ name: "ml-training", description: "Train, evaluate and deploy a model" })
export class TrainingPipeline {
  // Handlers are bound to this instance: `this.registry` works inside every task.
  constructor(readonly registry = new ModelRegistry()) {}

  @task({ timeout: 30, retryCount: 2 })
  async load_data(ctx: TaskContext<TrainingInput>): Promise<Dataset> {
    return makeDataset(ctx.input.samples, ctx.input.seed);
  }

  // Declared before train_model, but with a lower priority it runs after it when both are ready.
  @task({ dependsOn: ["load_data"], priority: 1, description: "label statistics for the data report" })
  async profile_data(ctx: TaskContext<TrainingInput, { load_data: Dataset }>) {
    return profile(ctx.deps.load_data.train);
  }

  @task({ dependsOn: ["load_data"], priority: 10, timeout: 3600, retryCount: 1 })
  async train_model(ctx: TaskContext<TrainingInput, { load_data: Dataset }>): Promise<Model> {
    return fitLinear(ctx.deps.load_data.train, ctx.input.epochs, ctx.input.learningRate);
  }

  @task({ dependsOn: ["load_data", "train_model"], priority: 5 })
  async evaluate_model(
    ctx: TaskContext<TrainingInput, { load_data: Dataset; train_model: Model }>,
  ): Promise<Evaluation> {
    return evaluate(ctx.deps.train_model, ctx.deps.load_data.test);
  }

  @task({ dependsOn: ["train_model", "evaluate_model"], timeout: 60 })
  async deploy_model(
    ctx: TaskContext<TrainingInput, { train_model: Model; evaluate_model: Evaluation }>,
  ): Promise<Deployment> {
    const { train_model: model, evaluate_model: evaluation } = ctx.deps;
    if (evaluation.r2 < ctx.input.minR2) {
      // Retrying will not make the model better: fail at once.
      throw new NonRetryableError(
        `R² ${evaluation.r2.toFixed(3)} is below the deployment bar ${ctx.input.minR2}`,
      );
    }
    return this.registry.publish(ctx.input.stage, model, evaluation);
  }
}

/** The input `main.ts` runs with. */
export const DEFAULT_INPUT: TrainingInput = {
  samples: 200,
  seed: 42,
  epochs: 300,
  learningRate: 0.5,
  minR2: 0.95,
  stage: "staging",
};
