/**
 * Every architecture in the five papers, by name, built with tfjs layers. Each entry cites its
 * source, records the parameter counts the paper states (where it states any) beside the counts
 * of the network as described, and lists the choices we made where the paper leaves one open.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { withSeededRandom } from "../data/random.ts";
import { UserError } from "../errors.ts";
import {
  conv,
  type ConvArgs,
  dense,
  first,
  type Framework,
  head,
  pool,
  torchInit,
  withFramework,
} from "./framework_layers.ts";

export { type Framework, FRAMEWORKS } from "./framework_layers.ts";

/** Trainable, non-trainable and total parameter counts. */
export interface ParamCounts {
  trainable: number;
  nonTrainable: number;
  total: number;
}

/** A registered architecture. */
export interface ModelSpec {
  /** Registry name, e.g. `000-three-block`. */
  name: string;
  /** Seed file and section that define it. */
  source: string;
  /** One line: the layers. */
  summary: string;
  /** `softmax`: outputs probabilities (Keras papers); `logits`: raw scores (PyTorch papers). */
  output: "softmax" | "logits";
  /** The framework the paper built it with, whose defaults {@link buildModel} follows when asked. */
  framework: Framework;
  /** Parameter counts of the network as built here (pinned by tests). */
  counts: ParamCounts;
  /** What the paper states, where it states a count, and whether it agrees. */
  stated?: { text: string; trainable?: number; nonTrainable?: number; agrees: boolean };
  /** Readings we chose where the paper is vague, and why. */
  choices: string[];
  /** Build the layers (called inside a seeded scope by {@link buildModel}). */
  layers: () => tf.layers.Layer[];
}

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

const SPECS: ModelSpec[] = [
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
  tinyVgg("004-tinyvgg", "max"),
  tinyVgg("004-tinyvgg-avgpool", "average"),
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

/** TinyVGG with max- or average-pooling (Tang et al.'s Table VI varies only the pooling). */
function tinyVgg(name: string, pooling: "max" | "average"): ModelSpec {
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

/** The registry: every paper architecture by name. */
export const MODELS: Readonly<Record<string, ModelSpec>> = Object.fromEntries(SPECS.map((s) => [s.name, s]));

/** Look up a registered architecture; an unknown name is an error listing the known ones. */
export function modelSpec(name: string): ModelSpec {
  const spec = Object.hasOwn(MODELS, name) ? MODELS[name] : undefined; // not "toString" and friends
  if (!spec) throw new UserError(`unknown model "${name}". Registered: ${Object.keys(MODELS).join(", ")}`);
  return spec;
}

/**
 * Build a registered model with seeded weights: the same name and seed give the same initial
 * weights on every run.
 *
 * @example
 * ```ts
 * const model = buildModel("000-three-block", 1);
 * ```
 */
export function buildModel(name: string, seed = 1, framework?: Framework): tf.Sequential {
  const spec = modelSpec(name);
  if (framework !== undefined && framework !== spec.framework) {
    throw new UserError(
      `model "${name}" comes from a ${spec.framework} paper; it cannot be built with ${framework}'s defaults. ` +
        `Fix: use framework "${spec.framework}" (or none, for tfjs's defaults)`,
    );
  }
  return withFramework(
    framework,
    () =>
      withSeededRandom(
        seed,
        () => tf.sequential({ name: name.replace(/[^\w]/g, "_"), layers: spec.layers() }),
      ),
  );
}

/** Whether a model ends in a separate softmax layer (Keras's head): training then reads the scores before it. */
export function endsInSoftmaxLayer(model: tf.LayersModel): boolean {
  const last = model.layers.at(-1);
  return last?.getClassName() === "Activation" &&
    (last.getConfig() as { activation?: string }).activation === "softmax";
}

/** Trainable and non-trainable parameter counts of a model, as Keras's `summary()` reports them. */
export function countParams(model: tf.LayersModel): ParamCounts {
  const size = (ws: tf.LayerVariable[]) =>
    ws.reduce((n, w) => n + (w.shape as number[]).reduce((a: number, b: number) => a * b, 1), 0);
  const trainable = size(model.trainableWeights);
  const nonTrainable = size(model.nonTrainableWeights);
  return { trainable, nonTrainable, total: trainable + nonTrainable };
}

/** One row per layer: its type, output shape and parameter count, like Keras's `model.summary()`. */
export function layerSummary(model: tf.LayersModel): { layer: string; output: string; params: number }[] {
  return model.layers.map((l) => ({
    layer: l.getClassName(),
    output: JSON.stringify(l.outputShape).replace(/null/g, "None"),
    params: l.countParams(),
  }));
}
