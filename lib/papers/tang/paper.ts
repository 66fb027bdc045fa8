/**
 * Tang et al.: TinyVGG's hyperparameter tables (I-VI) and an ANN, in PyTorch (notebook 05).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { conv, dense, first, pool, torchInit } from "../../models/framework_layers.ts";
import type { ModelSpec } from "../../models/spec.ts";
import type { PaperDefinition, Recipe } from "../types.ts";
import claims from "./claims.json" with { type: "json" };

/** TinyVGG with max- or average-pooling (Tang et al.'s Table VI varies only the pooling). */
function tinyVggModel(name: string, pooling: "max" | "average"): ModelSpec {
  const down = () => pooling === "max" ? pool() : tf.layers.averagePooling2d({ poolSize: 2, strides: 2 });
  return {
    name,
    source: pooling === "max"
      ? "Tang et al., sections II-C and IV-C (TinyVGG, PyTorch)"
      : "Tang et al., section IV-C, Table VI (TinyVGG with AvgPool2d instead of MaxPool2d)",
    summary: `2 x [Conv 10 3x3 same ReLU -> Conv 10 3x3 same ReLU -> ${
      pooling === "max" ? "MaxPool" : "AvgPool"
    } 2] -> Flatten -> Linear 10 (logits)`,
    output: "logits",
    framework: "pytorch",
    counts: { trainable: 7740, nonTrainable: 0, total: 7740 },
    choices: [
      "10 channels, 3x3 kernels, stride 1, padding 1 ('same'), as in CNN Explainer's TinyVGG that the paper cites",
      "PyTorch's default initialisation, and raw scores out (PyTorch's CrossEntropyLoss applies log-softmax)",
    ],
    layers: () => [
      conv(10, 3, { ...first, padding: "same", ...torchInit(9) }),
      conv(10, 3, { padding: "same", ...torchInit(90) }),
      down(),
      conv(10, 3, { padding: "same", ...torchInit(90) }),
      conv(10, 3, { padding: "same", ...torchInit(90) }),
      down(),
      tf.layers.flatten(),
      dense(10, "linear", torchInit(490)),
    ],
  };
}

/** The paper's architectures. */
const MODELS: ModelSpec[] = [
  tinyVggModel("004-tinyvgg", "max"),
  tinyVggModel("004-tinyvgg-avgpool", "average"),
  {
    name: "004-ann",
    source: "Tang et al., sections II-A and III (ANN: flatten, dropout, dense)",
    summary: "Flatten -> Linear 128 ReLU -> Dropout 0.2 -> Linear 10 (logits)",
    output: "logits",
    framework: "pytorch",
    counts: { trainable: 101770, nonTrainable: 0, total: 101770 },
    choices: [
      "the paper names only a flatten layer, a dropout layer and a dense output layer; we add the usual hidden " +
      "layer of 128 ReLU units and dropout 0.2 (the paper gives neither size nor rate)",
    ],
    layers: () => [
      tf.layers.flatten(first),
      dense(128, "relu", torchInit(784)),
      tf.layers.dropout({ rate: 0.2 }),
      dense(10, "linear", torchInit(128)),
    ],
  },
];

/**
 * `quick` keeps TinyVGG's epochs (they are the variable of Table IV) but trains on a seeded sixth of the
 * training set, so a laptop reruns all twelve rows of Tables I-VI in minutes rather than hours.
 */
const TINYVGG_QUICK_IMAGES = 10_000;

const TINYVGG_DEFAULT: Recipe = {
  model: "004-tinyvgg",
  source:
    "Tang et al., section IV-D: default model, SGD lr 0.1, batch 32, 3 epochs, CrossEntropyLoss, MaxPool",
  split: "official",
  validationFraction: 0,
  optimizer: "sgd",
  learningRate: 0.1,
  loss: "crossEntropy",
  batchSize: 32,
  epochs: 3,
  quick: { epochs: 3, trainLimit: TINYVGG_QUICK_IMAGES },
  seeds: 10, // ten a side for the comparison with PyTorch's own runs (notebook 05)
};

/** A TinyVGG variant: the default with one setting changed, as a row of Tang et al.'s Tables I-VI. */
const tinyVggVariant = (suffix: string, table: string, change: Partial<Recipe>): Recipe => ({
  ...TINYVGG_DEFAULT,
  name: `004-tinyvgg-${suffix}`,
  source: `Tang et al., ${table}: the default model with ${suffix}`,
  ...change,
  quick: { epochs: change.epochs ?? TINYVGG_DEFAULT.epochs, trainLimit: TINYVGG_QUICK_IMAGES },
  seeds: change.seeds ?? 5,
});

/** The default TinyVGG and its variants, one per non-default row of Tables I-VI. */
const TINYVGG: Recipe[] = [
  TINYVGG_DEFAULT,
  tinyVggVariant("adam", "Table I", { optimizer: "adam" }),
  tinyVggVariant("adam-lr0.001", "Table I, the likely intent (not in the paper)", {
    optimizer: "adam",
    learningRate: 0.001,
    source:
      "not in Tang et al.: Table I's Adam at 0.001, PyTorch's default rate for Adam, instead of SGD's 0.1",
  }),
  tinyVggVariant("multimargin", "Table II", { loss: "multiMargin" }),
  tinyVggVariant("nll", "Table II (NLLLoss fed the raw scores, the literal reading)", { loss: "nll" }),
  // Ten seeds: at lr 0.1 batch 8 stays at chance in about half the runs, and the rulebook needs three that learn.
  tinyVggVariant("b8", "Table III", { batchSize: 8, seeds: 10 }),
  tinyVggVariant("b128", "Table III", { batchSize: 128 }),
  tinyVggVariant("e1", "Table IV", { epochs: 1 }),
  tinyVggVariant("e21", "Table IV", { epochs: 21 }),
  tinyVggVariant("lr0.001", "Table V", { learningRate: 0.001 }),
  tinyVggVariant("lr0.01", "Table V", { learningRate: 0.01 }),
  tinyVggVariant("avgpool", "Table VI", { model: "004-tinyvgg-avgpool" }),
];

/** The paper's recipes, in the order README lists them. */
const RECIPES: Recipe[] = [
  ...TINYVGG,
  {
    // The paper gives the ANN the default model's training: SGD 0.1, batch 32, cross-entropy.
    ...TINYVGG_DEFAULT,
    model: "004-ann",
    source:
      "Tang et al., section III: ANN trained 5 epochs (optimizer and batch as the default model: SGD 0.1, 32)",
    epochs: 5,
    quick: { epochs: 5 },
    seeds: 5,
  },
];

/** Tang et al.: TinyVGG's hyperparameter tables (I-VI) and an ANN, in PyTorch (notebook 05). */
export const PAPER: PaperDefinition = {
  id: "004",
  slug: "tang",
  reference: {
    authors: [
      "Tang Jian Shiun",
      "Tey Jia Yi",
      "Pu Jun Yu",
      "Por Jia Xin",
      "Voon Pei Yi",
      "Zailan Arabee Abdul Salam",
    ],
    title: "Convolutional Neural Network for Fashion Images Classification (Fashion-MNIST)",
    venue: "School of Computing, Asia Pacific University of Technology and Innovation, Kuala Lumpur",
    year: null,
    note:
      "venue and year not stated; its experiments ran in April 2023 and its newest reference is from July 2023",
    label: "Tang et al.",
  },
  framework: "pytorch",
  notebooks: ["05_tinyvgg_hyperparameters"],
  models: MODELS,
  recipes: RECIPES,
  claims,
};
