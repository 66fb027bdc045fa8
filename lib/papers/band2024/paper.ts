/**
 * Band et al. 2024: a baseline CNN, its enhanced version (augmentation, batch norm) and our ablation (notebook 07).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { conv, type ConvArgs, dense, first, head, pool } from "../../models/framework_layers.ts";
import type { ModelSpec } from "../../models/spec.ts";
import type { PaperDefinition, Recipe } from "../types.ts";
import claims from "./claims.json" with { type: "json" };

/** Band et al.'s Table 1 CNN, with batch normalisation after each convolution when `batchNorm`. */
function band2024Layers(batchNorm: boolean): tf.layers.Layer[] {
  const convBn = (filters: number, extra: Partial<ConvArgs> = {}) =>
    batchNorm ? [conv(filters, 3, extra), tf.layers.batchNormalization()] : [conv(filters, 3, extra)];
  return [
    ...convBn(64, first),
    ...convBn(64),
    pool(),
    tf.layers.dropout({ rate: 0.25 }),
    ...convBn(128),
    ...convBn(128),
    pool(),
    tf.layers.dropout({ rate: 0.25 }),
    tf.layers.flatten(),
    dense(256),
    tf.layers.dropout({ rate: 0.5 }),
    ...head(),
  ];
}

/** The paper's architectures. */
const MODELS: ModelSpec[] = [
  {
    name: "003-baseline",
    source: "Band et al. 2024, Table 1",
    summary:
      "Conv 64, Conv 64 -> MaxPool -> Dropout 0.25 -> Conv 128, Conv 128 -> MaxPool -> Dropout 0.25 -> " +
      "Flatten -> Dense 256 -> Dropout 0.5 -> Dense 10",
    output: "softmax",
    framework: "keras",
    counts: { trainable: 786122, nonTrainable: 0, total: 786122 },
    choices: ["'valid' padding: Table 1's shapes (26, 24, 12, 10, 8, 4) require it"],
    layers: () => band2024Layers(false),
  },
  {
    name: "003-baseline-bn",
    source:
      "Band et al. 2024: Table 1's baseline with batch normalisation after each convolution (our ablation)",
    summary: "003-baseline with BatchNorm after each of its four convolutions",
    output: "softmax",
    framework: "keras",
    counts: { trainable: 786890, nonTrainable: 768, total: 787658 },
    choices: [
      "the paper credits 'augmentation + batch normalisation' together; this model isolates batch normalisation",
    ],
    layers: () => band2024Layers(true),
  },
  {
    name: "003-enhanced",
    source:
      "Band et al. 2024, Conclusion ('two convolutional layers with 64 and 128 filters, each followed by " +
      "Batch Normalization', MaxPooling)",
    summary: "Conv 64 3x3 -> BatchNorm -> MaxPool -> Conv 128 3x3 -> BatchNorm -> MaxPool -> Flatten -> " +
      "Dense 256 -> Dropout 0.5 -> Dense 10",
    output: "softmax",
    framework: "keras",
    counts: { trainable: 896906, nonTrainable: 384, total: 897290 },
    choices: [
      "the head (Dense 256, Dropout 0.5, Dense 10) is Table 1's; the paper describes only the convolutions",
      "3x3 kernels and 'valid' padding, as in Table 1",
    ],
    layers: () => [
      conv(64, 3, first),
      tf.layers.batchNormalization(),
      pool(),
      conv(128, 3),
      tf.layers.batchNormalization(),
      pool(),
      tf.layers.flatten(),
      dense(256),
      tf.layers.dropout({ rate: 0.5 }),
      ...head(),
    ],
  },
];

/**
 * Band et al.'s baseline is our slowest model (about 320 images/s on each core), so `quick` trains the
 * baseline, the enhanced model and the ablation on a seeded quarter of the 48,000 training images for half
 * the paper's epochs: three seeds of all five recipes in about an hour on two cores instead of seven.
 */
const BAND_QUICK_IMAGES = 12_000;

const BAND_BASELINE: Recipe = {
  model: "003-baseline",
  source:
    "Band et al. 2024, 'Training Process': Adam 1e-3, batch 64, 20 epochs; a portion of the training set " +
    "for validation (20% assumed)",
  split: "official",
  validationFraction: 0.2,
  optimizer: "adam",
  learningRate: 1e-3,
  loss: "crossEntropy",
  batchSize: 64,
  epochs: 20,
  quick: { epochs: 10, trainLimit: BAND_QUICK_IMAGES },
};

/**
 * Band et al. 2024: the baseline, the enhanced model as the Conclusion describes it (augmentation and batch
 * normalisation, Adam 5e-4; 30 epochs, the Conclusion's figure among the paper's "30", "50-75"), and an
 * ablation the paper never ran: the baseline's recipe with augmentation only, batch normalisation only, both.
 */
const BAND: Recipe[] = [
  BAND_BASELINE,
  {
    ...BAND_BASELINE,
    name: "003-enhanced",
    model: "003-enhanced",
    source:
      "Band et al. 2024, Conclusion: augmentation and batch normalisation, Adam 5e-4, batch 64, 30 epochs " +
      "(the Implementation section says 50-75)",
    learningRate: 5e-4,
    epochs: 30,
    augmentation: "band2024",
    quick: { epochs: 15, trainLimit: BAND_QUICK_IMAGES },
  },
  {
    ...BAND_BASELINE,
    name: "003-ablation-aug",
    source: "ablation: 003-baseline + augmentation",
    augmentation: "band2024",
  },
  {
    ...BAND_BASELINE,
    name: "003-ablation-bn",
    model: "003-baseline-bn",
    source: "ablation: 003-baseline + batch norm",
  },
  {
    ...BAND_BASELINE,
    name: "003-ablation-both",
    model: "003-baseline-bn",
    source: "ablation: 003-baseline + batch norm + augmentation",
    augmentation: "band2024",
  },
];

/** The paper's recipes, in the order README lists them. */
const RECIPES: Recipe[] = BAND;

/** Band et al. 2024: a baseline CNN, its enhanced version (augmentation, batch norm) and our ablation (notebook 07). */
export const PAPER: PaperDefinition = {
  id: "003",
  slug: "band2024",
  reference: {
    authors: [
      "Niraj Band",
      "Swikruti Thantharte",
      "Sakshi Kadu",
      "Tejaswini Badpaiya",
      "Sania Sheikh",
      "Riya Drada",
    ],
    title: "CNN Model for Image Classification on Fashion-MNIST Dataset",
    venue: "B.Tech project report, International Institute of Information Technology, Hyderabad " +
      "(academic year 2023-2024)",
    year: 2024,
    label: "Band et al. 2024",
  },
  framework: "keras",
  notebooks: ["07_augmentation_batchnorm"],
  models: MODELS,
  recipes: RECIPES,
  claims,
};
