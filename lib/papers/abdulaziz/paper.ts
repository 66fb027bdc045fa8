/**
 * Abdul Aziz & Sayed: a three-block CNN, compared with ImageNet networks for edge deployment (notebook 04).
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
    name: "000-three-block",
    source: "Abdul Aziz & Sayed, section 4 (architecture list and Fig. 1)",
    summary:
      "3 x [Conv 3x3 ReLU (32, 64, 128) -> MaxPool 2] -> Flatten -> Dense 128 ReLU -> Dense 10 softmax",
    output: "softmax",
    framework: "keras",
    counts: { trainable: 110474, nonTrainable: 0, total: 110474 },
    stated: {
      text:
        "'about 98,000 trainable parameters' (sections 2 and 6) and '65,354-parameter' (section 5); 65,354 is " +
        "exactly the count of the same network with 64 filters in the third block (32-64-64), and 65,354 float32 " +
        "weights are the 0.26 MB it quotes",
      trainable: 98000,
      agrees: false,
    },
    choices: [
      "'valid' padding: the paper's own output shapes (13x13x32, 5x5x64, 1x1x128) require it",
    ],
    layers: () => [
      conv(32, 3, first),
      pool(),
      conv(64, 3),
      pool(),
      conv(128, 3),
      pool(),
      tf.layers.flatten(),
      dense(128),
      ...head(),
    ],
  },
];

/** The paper's recipes, in the order README lists them. */
const RECIPES: Recipe[] = [
  {
    model: "000-three-block",
    source:
      "Abdul Aziz & Sayed, section 4: Adam 1e-3, 10 epochs, validation sampled from the training partition " +
      "(share and batch size not stated: 10% and Keras's batch 32)",
    split: "official",
    validationFraction: 0.1,
    optimizer: "adam",
    learningRate: 1e-3,
    loss: "crossEntropy",
    batchSize: 32,
    epochs: 10,
    quick: { epochs: 5 },
    seeds: 5,
  },
];

/** Abdul Aziz & Sayed: a three-block CNN, compared with ImageNet networks for edge deployment (notebook 04). */
export const PAPER: PaperDefinition = {
  id: "000",
  slug: "abdulaziz",
  reference: {
    authors: ["Farzana Binti Abdul Aziz", "Abdul Salam Shah Sayed"],
    title: "Image Classification Using Convolutional Neural Networks: From Fashion-MNIST Benchmarking " +
      "to Smart Retail AI and Edge Deployment",
    venue: "Department of Computer Science, Taylor's University, Malaysia",
    year: null,
    note: "venue and year not stated; it cites work from 2026, so it is no older than that",
    label: "Abdul Aziz & Sayed",
  },
  framework: "keras",
  notebooks: ["04_three_block_cnn"],
  models: MODELS,
  recipes: RECIPES,
  claims,
};
