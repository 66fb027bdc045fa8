/**
 * Reference ImageNet architectures rebuilt in tfjs layers, so Abdul Aziz & Sayed can quote their
 * parameter counts next to our small Fashion-MNIST CNN.
 *
 * - MobileNetV2: Sandler, Howard, Zhu, Zhmoginov & Chen, "MobileNetV2: Inverted Residuals and
 *   Linear Bottlenecks", CVPR 2018 (arXiv:1801.04381), Table 2.
 * - EfficientNet-B0: Tan & Le, "EfficientNet: Rethinking Model Scaling for Convolutional Neural
 *   Networks", ICML 2019 (arXiv:1905.11946), Table 1, with MBConv blocks + squeeze-and-excitation.
 *
 * Both follow the layer layout of Keras Applications (`include_top=True`) so that total, trainable and
 * non-trainable parameter counts match the numbers Keras reports. Weights are randomly initialised:
 * no pretrained ImageNet weights are downloaded or loaded, so these models are for counting parameters,
 * checking shapes and timing, not for prediction.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Published parameter counts (Keras Applications, include_top=True), for comparison in tests and notebooks. */
export const PUBLISHED_COUNTS: { mobileNetV2: number; efficientNetB0: number } = {
  /** MobileNetV2(alpha=1.0, 224x224x3, 1000 classes): 3,504,872 trainable + 34,112 non-trainable. */
  mobileNetV2: 3_538_984,
  /** EfficientNetB0(224x224x3, 1000 classes): 5,288,548 trainable + 42,023 non-trainable. */
  efficientNetB0: 5_330_571,
};

/** Options shared by both builders. */
export interface ReferenceModelOptions {
  /** Square input side in pixels (default 224); inputs are `inputSize x inputSize x 3`. */
  inputSize?: number;
  /** Number of output classes of the softmax top (default 1000). */
  classes?: number;
}

type Sym = tf.SymbolicTensor;

function applyLayer(layer: tf.layers.Layer, x: Sym | Sym[]): Sym {
  return layer.apply(x) as Sym;
}

function checkOptions(options: ReferenceModelOptions | undefined): { inputSize: number; classes: number } {
  const inputSize = options?.inputSize ?? 224;
  const classes = options?.classes ?? 1000;
  if (!Number.isInteger(inputSize) || inputSize < 32) {
    throw new RangeError(`inputSize must be an integer >= 32, got ${inputSize}`);
  }
  if (!Number.isInteger(classes) || classes < 1) {
    throw new RangeError(`classes must be a positive integer, got ${classes}`);
  }
  return { inputSize, classes };
}

/**
 * Asymmetric zero padding before a stride-2 'valid' convolution, as Keras Applications' `correct_pad`:
 * for an even input side it pads `k//2 - 1` before and `k//2` after, for an odd side `k//2` on both.
 */
function correctPad(x: Sym, kernel: number): [[number, number], [number, number]] {
  const [h, w] = [x.shape[1], x.shape[2]];
  const adjust = [h == null ? 1 : 1 - (h % 2), w == null ? 1 : 1 - (w % 2)];
  const c = Math.floor(kernel / 2);
  return [[c - adjust[0], c], [c - adjust[1], c]];
}

function channels(x: Sym): number {
  const c = x.shape[x.shape.length - 1];
  if (c == null) throw new Error("channel dimension must be known");
  return c;
}

// ---------------------------------------------------------------------------
// MobileNetV2
// ---------------------------------------------------------------------------

/** Round `v` to the nearest multiple of `divisor`, never going down by more than 10% (MobileNet's `_make_divisible`). */
function makeDivisible(v: number, divisor = 8, minValue = divisor): number {
  let rounded = Math.max(minValue, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (rounded < 0.9 * v) rounded += divisor;
  return rounded;
}

function mbv2BatchNorm(name: string): tf.layers.Layer {
  return tf.layers.batchNormalization({ axis: -1, epsilon: 1e-3, momentum: 0.999, name });
}

function relu6(name: string): tf.layers.Layer {
  return tf.layers.reLU({ maxValue: 6, name });
}

/** Inverted residual block with linear bottleneck (paper Fig. 3b / Table 1). */
function invertedResBlock(x: Sym, expansion: number, stride: number, filters: number, blockId: number): Sym {
  const inChannels = channels(x);
  const pointwiseFilters = makeDivisible(filters, 8);
  const prefix = blockId === 0 ? "expanded_conv_" : `block_${blockId}_`;
  const input = x;
  if (blockId !== 0) {
    x = applyLayer(
      tf.layers.conv2d({
        filters: expansion * inChannels,
        kernelSize: 1,
        padding: "same",
        useBias: false,
        name: `${prefix}expand`,
      }),
      x,
    );
    x = applyLayer(mbv2BatchNorm(`${prefix}expand_BN`), x);
    x = applyLayer(relu6(`${prefix}expand_relu`), x);
  }
  if (stride === 2) {
    x = applyLayer(tf.layers.zeroPadding2d({ padding: correctPad(x, 3), name: `${prefix}pad` }), x);
  }
  x = applyLayer(
    tf.layers.depthwiseConv2d({
      kernelSize: 3,
      strides: stride,
      padding: stride === 1 ? "same" : "valid",
      useBias: false,
      name: `${prefix}depthwise`,
    }),
    x,
  );
  x = applyLayer(mbv2BatchNorm(`${prefix}depthwise_BN`), x);
  x = applyLayer(relu6(`${prefix}depthwise_relu`), x);
  // Linear bottleneck: projection without activation.
  x = applyLayer(
    tf.layers.conv2d({
      filters: pointwiseFilters,
      kernelSize: 1,
      padding: "same",
      useBias: false,
      name: `${prefix}project`,
    }),
    x,
  );
  x = applyLayer(mbv2BatchNorm(`${prefix}project_BN`), x);
  if (inChannels === pointwiseFilters && stride === 1) {
    x = applyLayer(tf.layers.add({ name: `${prefix}add` }), [input, x]);
  }
  return x;
}

/**
 * MobileNetV2 (alpha 1.0) for 224x224x3 inputs with the 1000-class top, as Keras Applications builds it
 * (Sandler et al. 2018, Table 2: 32-filter stem, 17 inverted residual blocks with expansion 6 except
 * the first, a 1x1 conv to 1280 channels, global average pooling and a softmax classifier; ReLU6
 * everywhere except the linear bottlenecks). Randomly initialised: no pretrained weights.
 */
export function mobileNetV2(options?: ReferenceModelOptions): tf.LayersModel {
  const { inputSize, classes } = checkOptions(options);
  const alpha = 1.0;
  const input = tf.input({ shape: [inputSize, inputSize, 3], name: "input_1" });
  let x = applyLayer(
    tf.layers.conv2d({
      filters: makeDivisible(32 * alpha, 8),
      kernelSize: 3,
      strides: 2,
      padding: "same",
      useBias: false,
      name: "Conv1",
    }),
    input,
  );
  x = applyLayer(mbv2BatchNorm("bn_Conv1"), x);
  x = applyLayer(relu6("Conv1_relu"), x);

  // Paper Table 2: [expansion t, output channels c, repeats n, first stride s].
  const stages: [number, number, number, number][] = [
    [1, 16, 1, 1],
    [6, 24, 2, 2],
    [6, 32, 3, 2],
    [6, 64, 4, 2],
    [6, 96, 3, 1],
    [6, 160, 3, 2],
    [6, 320, 1, 1],
  ];
  let blockId = 0;
  for (const [t, c, n, s] of stages) {
    for (let i = 0; i < n; i++) {
      x = invertedResBlock(x, t, i === 0 ? s : 1, c * alpha, blockId++);
    }
  }

  // alpha <= 1.0 keeps the last conv at 1280 channels.
  const lastBlockFilters = alpha > 1.0 ? makeDivisible(1280 * alpha, 8) : 1280;
  x = applyLayer(
    tf.layers.conv2d({ filters: lastBlockFilters, kernelSize: 1, useBias: false, name: "Conv_1" }),
    x,
  );
  x = applyLayer(mbv2BatchNorm("Conv_1_bn"), x);
  x = applyLayer(relu6("out_relu"), x);
  x = applyLayer(tf.layers.globalAveragePooling2d({ name: "global_average_pooling2d" }), x);
  x = applyLayer(tf.layers.dense({ units: classes, activation: "softmax", name: "predictions" }), x);
  return tf.model({ inputs: input, outputs: x, name: `mobilenetv2_1.00_${inputSize}` });
}

// ---------------------------------------------------------------------------
// EfficientNet-B0
// ---------------------------------------------------------------------------

/**
 * Keras' `Normalization` preprocessing layer (not available in tfjs-layers 4.22): `(x - mean) /
 * max(sqrt(variance), 1e-7)` per channel. Like Keras it owns three non-trainable weights, `mean` and
 * `variance` (one value per channel) and the scalar sample `count`, which `adapt()` would fill; here they
 * stay at their un-adapted defaults (0, 1, 0), so the layer is an identity on random-init models. It is
 * included so that EfficientNetB0's non-trainable count (42,023 = batch-norm statistics + 3 + 3 + 1)
 * matches Keras.
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

/** Width scaling with rounding to multiples of 8 (identity for B0, width coefficient 1.0). */
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
 * EfficientNet-B0 for 224x224x3 inputs with the 1000-class top (width 1.0, depth 1.0, dropout 0.2,
 * SE ratio 0.25, swish), laid out as Keras Applications' `EfficientNetB0` (Tan & Le 2019, Table 1):
 * Rescaling(1/255) and Normalization preprocessing, a 32-filter stride-2 stem, 16 MBConv blocks in 7
 * stages with drop-connect rate rising linearly to 0.2, a 1x1 conv to 1280 channels, global average
 * pooling, dropout 0.2 and a softmax classifier. Randomly initialised: no pretrained weights.
 */
export function efficientNetB0(options?: ReferenceModelOptions): tf.LayersModel {
  const { inputSize, classes } = checkOptions(options);
  const widthCoefficient = 1.0;
  const depthCoefficient = 1.0;
  const dropoutRate = 0.2;
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
  x = applyLayer(tf.layers.dropout({ rate: dropoutRate, name: "top_dropout" }), x);
  x = applyLayer(
    tf.layers.dense({
      units: classes,
      activation: "softmax",
      kernelInitializer: DENSE_INIT(),
      name: "predictions",
    }),
    x,
  );
  return tf.model({ inputs: input, outputs: x, name: "efficientnetb0" });
}
