/**
 * Awasthi & Soni 2024: a Basic and an Enhanced CNN over 100 epochs, with their early-stopped twins (notebook 06).
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
    name: "001-basic",
    source: "Awasthi & Soni 2024, section V-C (Table 2)",
    summary: "Conv 64 3x3 ReLU -> MaxPool 2 -> Flatten -> Dense 128 ReLU -> Dense 10 softmax",
    output: "softmax",
    framework: "keras",
    counts: { trainable: 1386506, nonTrainable: 0, total: 1386506 },
    stated: {
      text: "1,386,506 trainable, 0 non-trainable (Table 2)",
      trainable: 1386506,
      nonTrainable: 0,
      agrees: true,
    },
    choices: ["ReLU in the convolution (the paper's workflow names ReLU for its layers)"],
    layers: () => [conv(64, 3, first), pool(), tf.layers.flatten(), dense(128), ...head()],
  },
  {
    name: "001-enhanced",
    source: "Awasthi & Soni 2024, section V-D (Table 3)",
    summary:
      "3 x [Conv 3x3 same (32, 64, 128) -> BatchNorm -> MaxPool] -> Flatten -> Dense 256 -> Dropout 0.5 " +
      "-> Dense 128 -> Dropout 0.5 -> Dense 10",
    output: "softmax",
    framework: "keras",
    counts: { trainable: 422474, nonTrainable: 448, total: 422922 },
    stated: {
      text: "422,474 trainable and 448 non-trainable (Table 3)",
      trainable: 422474,
      nonTrainable: 448,
      agrees: true,
    },
    choices: ["'same' padding: Table 3's output shapes (28x28x32, 14x14x64, 7x7x128) require it"],
    layers: () => [
      conv(32, 3, { ...first, padding: "same" }),
      tf.layers.batchNormalization(),
      pool(),
      conv(64, 3, { padding: "same" }),
      tf.layers.batchNormalization(),
      pool(),
      conv(128, 3, { padding: "same" }),
      tf.layers.batchNormalization(),
      pool(),
      tf.layers.flatten(),
      dense(256),
      tf.layers.dropout({ rate: 0.5 }),
      dense(128),
      tf.layers.dropout({ rate: 0.5 }),
      ...head(),
    ],
  },
];

/** The paper's recipes, in the order README lists them. */
const RECIPES: Recipe[] = ["001-basic", "001-enhanced"].flatMap((model): Recipe[] => {
  const recipe: Recipe = {
    model,
    source:
      "Awasthi & Soni 2024, Table 1: 80/20 train/validation split, batch 512, 100 epochs (optimizer not stated: Adam 1e-3)",
    split: "official",
    validationFraction: 0.2,
    optimizer: "adam",
    learningRate: 1e-3,
    loss: "crossEntropy",
    batchSize: 512,
    epochs: 100,
    quick: { epochs: 10 },
  };
  // Beyond the paper: the same run stopped once validation loss has not improved for 5 epochs.
  const stopped: Recipe = {
    ...recipe,
    name: `${model}-early-stop`,
    source: `${recipe.source}; stopped early on validation loss, patience 5 (not in the paper)`,
    earlyStopping: { monitor: "valLoss", patience: 5 },
  };
  return [recipe, stopped];
});

/** Awasthi & Soni 2024: a Basic and an Enhanced CNN over 100 epochs, with their early-stopped twins (notebook 06). */
export const PAPER: PaperDefinition = {
  id: "001",
  slug: "awasthi2024",
  reference: {
    authors: ["Shivani Awasthi", "Swati Soni"],
    title: "Enhanced CNN Architecture for Image Classification on the Fashion-MNIST Dataset",
    venue: "International Journal of Modern Engineering and Research Technology, vol. 11, no. 3",
    year: 2024,
    label: "Awasthi & Soni 2024",
  },
  framework: "keras",
  notebooks: ["06_basic_vs_enhanced_cnn"],
  models: MODELS,
  recipes: RECIPES,
  claims,
};
