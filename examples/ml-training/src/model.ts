/**
 * A deliberately tiny "ML" toolkit so the example runs anywhere in
 * milliseconds: a seeded synthetic dataset, a linear model trained by
 * gradient descent, and the usual metrics. The workflow is the point.
 */

/** One sample: a feature and its label. */
export interface Sample {
  x: number;
  y: number;
}

/** What `load_data` hands downstream. */
export interface Dataset {
  train: Sample[];
  test: Sample[];
}

/** What `train_model` hands downstream. */
export interface Model {
  weight: number;
  bias: number;
  epochs: number;
  loss: number;
}

/** What `evaluate_model` hands downstream. */
export interface Evaluation {
  mse: number;
  r2: number;
}

/** `samples` points of y = 3x + 2 plus noise, shuffled by `seed`, 80 % for training. */
export function makeDataset(samples: number, seed: number): Dataset {
  const random = mulberry32(seed);
  const all = Array.from({ length: samples }, () => {
    const x = random() * 2 - 1;
    return { x, y: 3 * x + 2 + (random() - 0.5) * 0.2 };
  });
  const cut = Math.round(samples * 0.8);
  return { train: all.slice(0, cut), test: all.slice(cut) };
}

/** Full-batch gradient descent on the mean squared error. */
export function fitLinear(samples: readonly Sample[], epochs: number, learningRate: number): Model {
  let weight = 0;
  let bias = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    let gradW = 0;
    let gradB = 0;
    for (const { x, y } of samples) {
      const error = weight * x + bias - y;
      gradW += error * x;
      gradB += error;
    }
    weight -= (learningRate * 2 * gradW) / samples.length;
    bias -= (learningRate * 2 * gradB) / samples.length;
  }
  return { weight, bias, epochs, loss: meanSquaredError({ weight, bias }, samples) };
}

/** Mean squared error and R² of a model on held-out samples. */
export function evaluate(model: Pick<Model, "weight" | "bias">, samples: readonly Sample[]): Evaluation {
  const mse = meanSquaredError(model, samples);
  const mean = samples.reduce((sum, s) => sum + s.y, 0) / samples.length;
  const variance = samples.reduce((sum, s) => sum + (s.y - mean) ** 2, 0) / samples.length;
  return { mse, r2: 1 - mse / variance };
}

/** Mean and spread of the labels, for the data report. */
export function profile(samples: readonly Sample[]): {
  count: number;
  mean: number;
  min: number;
  max: number;
} {
  const ys = samples.map((s) => s.y);
  return {
    count: ys.length,
    mean: ys.reduce((a, b) => a + b, 0) / ys.length,
    min: Math.min(...ys),
    max: Math.max(...ys),
  };
}

function meanSquaredError(model: Pick<Model, "weight" | "bias">, samples: readonly Sample[]): number {
  return (
    samples.reduce((sum, { x, y }) => sum + (model.weight * x + model.bias - y) ** 2, 0) / samples.length
  );
}

/** A small seeded PRNG: the same seed gives the same dataset on every machine. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
