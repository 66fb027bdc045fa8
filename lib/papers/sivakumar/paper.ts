/**
 * Sivakumar et al.: an ANN baseline and three small CNNs, on a 60:20:20 split (notebooks 01-03).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { conv, dense, first, head, pool } from "../../models/framework_layers.ts";
import type { ModelSpec } from "../../models/spec.ts";
import type { PaperDefinition, Recipe } from "../types.ts";
import claims from "./claims.json" with { type: "json" };

/** The paper's architectures. */
const MODELS: ModelSpec[] = [
  {
    name: "002-ann",
    source: "Sivakumar et al., section IV-A (Fig. 5)",
    summary: "Flatten -> Dense 64 ReLU -> Dense 128 ReLU -> Dense 10 softmax",
    output: "softmax",
    framework: "keras",
    counts: { trainable: 59850, nonTrainable: 0, total: 59850 },
    choices: [],
    layers: () => [tf.layers.flatten(first), dense(64), dense(128), ...head()],
  },
  {
    name: "002-model1",
    source: "Sivakumar et al., section IV-C 1 (Fig. 7)",
    summary: "Conv 32 4x4 ReLU -> MaxPool 2 -> Flatten -> Dense 128 ReLU -> Dense 10 softmax",
    output: "softmax",
    framework: "keras",
    counts: { trainable: 591786, nonTrainable: 0, total: 591786 },
    choices: ["'valid' padding and stride 1 (Keras defaults; the paper names neither)"],
    layers: () => [conv(32, 4, first), pool(), tf.layers.flatten(), dense(128), ...head()],
  },
  {
    name: "002-model2",
    source: "Sivakumar et al., section IV-C 2 (Fig. 8)",
    summary: "Model 1 with 'explicit strides of [1, 1]': identical to Model 1, since [1, 1] is the default",
    output: "softmax",
    framework: "keras",
    counts: { trainable: 591786, nonTrainable: 0, total: 591786 },
    choices: [
      "built exactly as described: strides [1, 1] are Keras's default, so this is Model 1 again " +
      "(same layers, same parameter count); see 002-model2-stride2 for the likeliest intent",
    ],
    layers: () => [
      conv(32, 4, { ...first, strides: [1, 1] }),
      pool(),
      tf.layers.flatten(),
      dense(128),
      ...head(),
    ],
  },
  {
    name: "002-model2-stride2",
    source: "Sivakumar et al., section IV-C 2, as it most likely meant to differ from Model 1",
    summary: "Conv 32 4x4 stride 2 ReLU -> MaxPool 2 -> Flatten -> Dense 128 ReLU -> Dense 10 softmax",
    output: "softmax",
    framework: "keras",
    counts: { trainable: 149418, nonTrainable: 0, total: 149418 },
    choices: [
      "our reading, not the paper's text: a 'modified spatial sampling strategy' that changes anything " +
      "needs a stride other than 1; 2 is the common choice",
    ],
    layers: () => [
      conv(32, 4, { ...first, strides: [2, 2] }),
      pool(),
      tf.layers.flatten(),
      dense(128),
      ...head(),
    ],
  },
  {
    name: "002-model3",
    source: "Sivakumar et al., section IV-C 3 (Fig. 9)",
    summary:
      "Conv 32 4x4 -> MaxPool -> Conv 64 4x4 -> MaxPool -> Flatten -> Dense 128 -> Dropout 0.2 -> Dense 10",
    output: "softmax",
    framework: "keras",
    counts: { trainable: 165866, nonTrainable: 0, total: 165866 },
    choices: [
      "4x4 kernels in both convolutions: Model 3 'expands upon Model 1's architecture', whose kernel is 4x4",
      "'valid' padding (Keras default)",
    ],
    layers: () => [
      conv(32, 4, first),
      pool(),
      conv(64, 4),
      pool(),
      tf.layers.flatten(),
      dense(128),
      tf.layers.dropout({ rate: 0.2 }),
      ...head(),
    ],
  },
];

const SEED002 =
  "Sivakumar et al., section IV: 60:20:20 split; optimizer, batch size and epochs not stated, so Keras's " +
  "defaults (Adam 1e-3, batch 32) and 10 epochs";
/** Sivakumar et al.'s recipe for one model, on the 70,000-image reading of its split. */
const seed002 = (model: string): Recipe => ({
  model,
  source: SEED002,
  split: "602020",
  validationFraction: 0,
  optimizer: "adam",
  learningRate: 1e-3,
  loss: "crossEntropy",
  batchSize: 32,
  epochs: 10,
  quick: { epochs: 5 },
  seeds: 5,
});

/** The paper's recipes, in the order README lists them. */
const RECIPES: Recipe[] = [
  seed002("002-ann"),
  seed002("002-model1"),
  seed002("002-model2"),
  seed002("002-model2-stride2"),
  seed002("002-model3"),
  // The other reading of the split: 60:20:20 of the 60,000 images the data section counts.
  ...["002-ann", "002-model1", "002-model2", "002-model2-stride2", "002-model3"].map((model): Recipe => ({
    ...seed002(model),
    name: `${model}-split60k`,
    source: `${SEED002}; the split read as 60:20:20 of the 60,000 training images (36,000/12,000/12,000), ` +
      "a sensitivity row beside the 70,000-image reading",
    split: "602020-train",
    seeds: 3,
  })),
];

/** Sivakumar et al.: an ANN baseline and three small CNNs, on a 60:20:20 split (notebooks 01-03). */
export const PAPER: PaperDefinition = {
  id: "002",
  slug: "sivakumar",
  reference: {
    authors: ["Uma Sivakumar", "Priyadharshini Ramesh Kumar", "Hasitha Varada"],
    title: "Threads of Understanding: A CNN Approach to Fashion MNIST Image Classification",
    venue: "Texas A&M University, College Station, USA",
    year: null,
    note: "venue and year not stated: a course project; its newest reference is from 2022",
    label: "Sivakumar et al.",
  },
  framework: "keras",
  notebooks: ["01_eda_pca", "02_ann_baseline", "03_cnn_models_1_3"],
  models: MODELS,
  recipes: RECIPES,
  claims,
};
