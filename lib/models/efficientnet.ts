/**
 * EfficientNet (Tan & Le, ICML 2019, Table 1: MBConv blocks with squeeze-and-excitation; compound
 * scaling of width and depth) in tfjs layers, as Keras Applications lays it out: B0 (5,330,571
 * parameters with the top) and B3 (12,320,535). Random weights.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { applyLayer, checkOptions, correctPad, type ReferenceModelOptions, type Sym } from "./reference.ts";

// ---------------------------------------------------------------------------
// EfficientNet
// ---------------------------------------------------------------------------

/**
 * Keras' `Normalization` preprocessing layer (not available in tfjs-layers 4.22): `(x - mean) /
 * max(sqrt(variance), 1e-7)` per channel. Like Keras it owns three non-trainable weights, `mean` and
 * `variance` (one value per channel) and the scalar sample `count`, which `adapt()` would fill; here they
 * stay at their un-adapted defaults (0, 1, 0), so the layer is an identity on random-init models. It is
 * included so that EfficientNet's non-trainable counts (B0: 42,023 = batch-norm statistics + 3 + 3 + 1)
 * match Keras.
 */
export class Normalization extends tf.layers.Layer {
  static className = "Normalization";
  private mean?: tf.LayerVariable;
  private variance?: tf.LayerVariable;
  private count?: tf.LayerVariable;

  constructor(args?: { name?: string }) {
    super(args ?? {});
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const c = shape[shape.length - 1];
    if (c == null) throw new Error("Normalization needs a known channel dimension");
    this.mean = this.addWeight("mean", [c], "float32", tf.initializers.zeros(), undefined, false);
    this.variance = this.addWeight("variance", [c], "float32", tf.initializers.ones(), undefined, false);
    this.count = this.addWeight("count", [], "int32", tf.initializers.zeros(), undefined, false);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const std = tf.maximum(tf.sqrt(this.variance!.read()), 1e-7);
      return tf.div(tf.sub(x, this.mean!.read()), std);
    });
  }
}
tf.serialization.registerClass(Normalization);

/** Keras' EfficientNet kernel initialisers (variance scaling on fan-out). */
const CONV_INIT = () =>
  tf.initializers.varianceScaling({ scale: 2.0, mode: "fanOut", distribution: "truncatedNormal" });
const DENSE_INIT = () =>
  tf.initializers.varianceScaling({ scale: 1 / 3, mode: "fanOut", distribution: "uniform" });

function effBatchNorm(name: string): tf.layers.Layer {
  return tf.layers.batchNormalization({ axis: -1, epsilon: 1e-3, momentum: 0.99, name });
}

/** Width scaling with rounding to multiples of 8, never down by more than 10% (identity for B0). */
function roundFilters(filters: number, widthCoefficient = 1.0, divisor = 8): number {
  filters *= widthCoefficient;
  let rounded = Math.max(divisor, Math.floor((filters + divisor / 2) / divisor) * divisor);
  if (rounded < 0.9 * filters) rounded += divisor;
  return rounded;
}

interface MBConvArgs {
  kernel: number;
  repeats: number;
  filtersIn: number;
  filtersOut: number;
  expand: number;
  stride: number;
  seRatio: number;
}

/** EfficientNet-B0 baseline network (Tan & Le 2019, Table 1), stages 2-8 as MBConv block arguments. */
const B0_BLOCKS: MBConvArgs[] = [
  { kernel: 3, repeats: 1, filtersIn: 32, filtersOut: 16, expand: 1, stride: 1, seRatio: 0.25 },
  { kernel: 3, repeats: 2, filtersIn: 16, filtersOut: 24, expand: 6, stride: 2, seRatio: 0.25 },
  { kernel: 5, repeats: 2, filtersIn: 24, filtersOut: 40, expand: 6, stride: 2, seRatio: 0.25 },
  { kernel: 3, repeats: 3, filtersIn: 40, filtersOut: 80, expand: 6, stride: 2, seRatio: 0.25 },
  { kernel: 5, repeats: 3, filtersIn: 80, filtersOut: 112, expand: 6, stride: 1, seRatio: 0.25 },
  { kernel: 5, repeats: 4, filtersIn: 112, filtersOut: 192, expand: 6, stride: 2, seRatio: 0.25 },
  { kernel: 3, repeats: 1, filtersIn: 192, filtersOut: 320, expand: 6, stride: 1, seRatio: 0.25 },
];

/** Mobile inverted bottleneck (MBConv) with squeeze-and-excitation and stochastic-depth residual. */
function mbConvBlock(x: Sym, a: MBConvArgs, dropRate: number, prefix: string): Sym {
  const input = x;
  const filters = a.filtersIn * a.expand;
  if (a.expand !== 1) {
    x = applyLayer(
      tf.layers.conv2d({
        filters,
        kernelSize: 1,
        padding: "same",
        useBias: false,
        kernelInitializer: CONV_INIT(),
        name: `${prefix}expand_conv`,
      }),
      x,
    );
    x = applyLayer(effBatchNorm(`${prefix}expand_bn`), x);
    x = applyLayer(tf.layers.activation({ activation: "swish", name: `${prefix}expand_activation` }), x);
  }
  if (a.stride === 2) {
    x = applyLayer(
      tf.layers.zeroPadding2d({ padding: correctPad(x, a.kernel), name: `${prefix}dwconv_pad` }),
      x,
    );
  }
  x = applyLayer(
    tf.layers.depthwiseConv2d({
      kernelSize: a.kernel,
      strides: a.stride,
      padding: a.stride === 2 ? "valid" : "same",
      useBias: false,
      depthwiseInitializer: CONV_INIT(),
      name: `${prefix}dwconv`,
    }),
    x,
  );
  x = applyLayer(effBatchNorm(`${prefix}bn`), x);
  x = applyLayer(tf.layers.activation({ activation: "swish", name: `${prefix}activation` }), x);

  if (a.seRatio > 0 && a.seRatio <= 1) {
    // Squeeze-and-excitation; the bottleneck width is a ratio of the block's *input* channels.
    const filtersSe = Math.max(1, Math.floor(a.filtersIn * a.seRatio));
    let se = applyLayer(tf.layers.globalAveragePooling2d({ name: `${prefix}se_squeeze` }), x);
    se = applyLayer(tf.layers.reshape({ targetShape: [1, 1, filters], name: `${prefix}se_reshape` }), se);
    se = applyLayer(
      tf.layers.conv2d({
        filters: filtersSe,
        kernelSize: 1,
        padding: "same",
        activation: "swish",
        kernelInitializer: CONV_INIT(),
        name: `${prefix}se_reduce`,
      }),
      se,
    );
    se = applyLayer(
      tf.layers.conv2d({
        filters,
        kernelSize: 1,
        padding: "same",
        activation: "sigmoid",
        kernelInitializer: CONV_INIT(),
        name: `${prefix}se_expand`,
      }),
      se,
    );
    x = applyLayer(tf.layers.multiply({ name: `${prefix}se_excite` }), [x, se]);
  }

  x = applyLayer(
    tf.layers.conv2d({
      filters: a.filtersOut,
      kernelSize: 1,
      padding: "same",
      useBias: false,
      kernelInitializer: CONV_INIT(),
      name: `${prefix}project_conv`,
    }),
    x,
  );
  x = applyLayer(effBatchNorm(`${prefix}project_bn`), x);
  if (a.stride === 1 && a.filtersIn === a.filtersOut) {
    if (dropRate > 0) {
      // Stochastic depth: drop the whole residual branch per example.
      const noiseShape = [null, 1, 1, 1] as unknown as number[];
      x = applyLayer(tf.layers.dropout({ rate: dropRate, noiseShape, name: `${prefix}drop` }), x);
    }
    x = applyLayer(tf.layers.add({ name: `${prefix}add` }), [x, input]);
  }
  return x;
}

/**
 * Compound-scaling coefficients of one EfficientNet variant (Tan & Le 2019, section 3.3; the values
 * Keras Applications uses): channels scale by `width`, block repeats by `depth` (rounded up).
 */
export interface EfficientNetScaling {
  /** Keras model name, e.g. "efficientnetb0". */
  name: string;
  /** Width coefficient: every stage's channels are multiplied by it and rounded to a multiple of 8. */
  width: number;
  /** Depth coefficient: every stage's repeats are multiplied by it and rounded up. */
  depth: number;
  /** Default square input side (224 for B0, 300 for B3). */
  resolution: number;
  /** Dropout rate before the classifier (0.2 for B0, 0.3 for B3). */
  dropout: number;
}

/** EfficientNet-B0: the baseline network of Table 1 (width 1.0, depth 1.0, 224 pixels, dropout 0.2). */
export const EFFICIENTNET_B0: EfficientNetScaling = {
  name: "efficientnetb0",
  width: 1.0,
  depth: 1.0,
  resolution: 224,
  dropout: 0.2,
};

/** EfficientNet-B3: width 1.2, depth 1.4, 300 pixels, dropout 0.3. */
export const EFFICIENTNET_B3: EfficientNetScaling = {
  name: "efficientnetb3",
  width: 1.2,
  depth: 1.4,
  resolution: 300,
  dropout: 0.3,
};

/**
 * An EfficientNet with the 1000-class top, scaled from B0 by `scaling` and laid out as Keras
 * Applications' `EfficientNetB*` (Tan & Le 2019, Table 1; SE ratio 0.25, swish): Rescaling(1/255) and
 * Normalization preprocessing, a 32-filter (scaled) stride-2 stem, MBConv blocks in 7 stages with
 * drop-connect rate rising linearly to 0.2, a 1x1 conv to 1280 (scaled) channels, global average
 * pooling, dropout and a softmax classifier. Randomly initialised: no pretrained weights.
 */
export function efficientNet(scaling: EfficientNetScaling, options?: ReferenceModelOptions): tf.LayersModel {
  const { inputSize, classes } = checkOptions(options, scaling.resolution);
  const widthCoefficient = scaling.width;
  const depthCoefficient = scaling.depth;
  const dropConnectRate = 0.2;
  const input = tf.input({ shape: [inputSize, inputSize, 3], name: "input_1" });
  let x = applyLayer(tf.layers.rescaling({ scale: 1 / 255, name: "rescaling" }), input);
  x = applyLayer(new Normalization({ name: "normalization" }), x);
  x = applyLayer(tf.layers.zeroPadding2d({ padding: correctPad(x, 3), name: "stem_conv_pad" }), x);
  x = applyLayer(
    tf.layers.conv2d({
      filters: roundFilters(32, widthCoefficient),
      kernelSize: 3,
      strides: 2,
      padding: "valid",
      useBias: false,
      kernelInitializer: CONV_INIT(),
      name: "stem_conv",
    }),
    x,
  );
  x = applyLayer(effBatchNorm("stem_bn"), x);
  x = applyLayer(tf.layers.activation({ activation: "swish", name: "stem_activation" }), x);

  const repeatsOf = (r: number) => Math.ceil(depthCoefficient * r);
  const totalBlocks = B0_BLOCKS.reduce((sum, a) => sum + repeatsOf(a.repeats), 0);
  let b = 0;
  B0_BLOCKS.forEach((stage, i) => {
    const base = {
      ...stage,
      filtersIn: roundFilters(stage.filtersIn, widthCoefficient),
      filtersOut: roundFilters(stage.filtersOut, widthCoefficient),
    };
    for (let j = 0; j < repeatsOf(stage.repeats); j++) {
      const args = j === 0 ? base : { ...base, stride: 1, filtersIn: base.filtersOut };
      const prefix = `block${i + 1}${String.fromCharCode(97 + j)}_`;
      x = mbConvBlock(x, args, (dropConnectRate * b) / totalBlocks, prefix);
      b++;
    }
  });

  x = applyLayer(
    tf.layers.conv2d({
      filters: roundFilters(1280, widthCoefficient),
      kernelSize: 1,
      padding: "same",
      useBias: false,
      kernelInitializer: CONV_INIT(),
      name: "top_conv",
    }),
    x,
  );
  x = applyLayer(effBatchNorm("top_bn"), x);
  x = applyLayer(tf.layers.activation({ activation: "swish", name: "top_activation" }), x);
  x = applyLayer(tf.layers.globalAveragePooling2d({ name: "avg_pool" }), x);
  x = applyLayer(tf.layers.dropout({ rate: scaling.dropout, name: "top_dropout" }), x);
  x = applyLayer(
    tf.layers.dense({
      units: classes,
      activation: "softmax",
      kernelInitializer: DENSE_INIT(),
      name: "predictions",
    }),
    x,
  );
  return tf.model({ inputs: input, outputs: x, name: scaling.name });
}

/**
 * EfficientNet-B0 for 224x224x3 inputs with the 1000-class top (width 1.0, depth 1.0, dropout 0.2):
 * 16 MBConv blocks in 7 stages, 1280 features, 5,330,571 parameters as Keras reports (5,288,548
 * trainable + 42,023 non-trainable). Randomly initialised: no pretrained weights.
 */
export function efficientNetB0(options?: ReferenceModelOptions): tf.LayersModel {
  return efficientNet(EFFICIENTNET_B0, options);
}

/**
 * EfficientNet-B3 for 300x300x3 inputs with the 1000-class top (width 1.2, depth 1.4, dropout 0.3):
 * 26 MBConv blocks in 7 stages (2+3+3+5+5+6+2), 1536 features, 12,320,535 parameters as Keras
 * reports (12,233,232 trainable + 87,303 non-trainable). Randomly initialised: no pretrained weights.
 */
export function efficientNetB3(options?: ReferenceModelOptions): tf.LayersModel {
  return efficientNet(EFFICIENTNET_B3, options);
}
