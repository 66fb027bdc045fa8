/**
 * MobileNetV3-Large (Howard et al., "Searching for MobileNetV3", ICCV 2019, Table 1) in tfjs layers, as
 * Keras Applications lays it out, so its parameter counts match Keras's (5,507,432 with the top).
 * Random weights: for counting and timing.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  applyLayer,
  channels,
  checkOptions,
  correctPad,
  type ReferenceModelOptions,
  type Sym,
} from "./reference.ts";

// ---------------------------------------------------------------------------
// Hard-sigmoid and hard-swish (paper section 5.2), which tfjs-layers lacks
// ---------------------------------------------------------------------------

/**
 * `relu6(x + 3) / 6`: MobileNetV3's piecewise-linear sigmoid (paper eq. in section 5.2). Not tfjs's
 * `hard_sigmoid` activation, which is Keras 2's older `0.2 x + 0.5`. No weights.
 */
export class HardSigmoid extends tf.layers.Layer {
  static className = "HardSigmoid";

  constructor(args?: { name?: string }) {
    super(args ?? {});
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.div(tf.relu6(tf.add(Array.isArray(inputs) ? inputs[0] : inputs, 3)), 6));
  }
}
tf.serialization.registerClass(HardSigmoid);

/** `x * relu6(x + 3) / 6`: MobileNetV3's hard-swish (paper section 5.2), as Keras's `hard_swish`. No weights. */
export class HardSwish extends tf.layers.Layer {
  static className = "HardSwish";

  constructor(args?: { name?: string }) {
    super(args ?? {});
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6));
    });
  }
}
tf.serialization.registerClass(HardSwish);

// ---------------------------------------------------------------------------
// MobileNetV3-Large
// ---------------------------------------------------------------------------

type Nonlinearity = "RE" | "HS";

/** Round `v` to the nearest multiple of 8, never going down by more than 10% (Keras's `_depth`). */
function depth(v: number, divisor = 8): number {
  let rounded = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (rounded < 0.9 * v) rounded += divisor;
  return rounded;
}

function v3BatchNorm(name: string): tf.layers.Layer {
  return tf.layers.batchNormalization({ axis: -1, epsilon: 1e-3, momentum: 0.999, name });
}

function nonlinearity(kind: Nonlinearity, name: string): tf.layers.Layer {
  return kind === "RE"
    ? tf.layers.reLU({ name: `${name}relu` })
    : new HardSwish({ name: `${name}hard_swish` });
}

/** Squeeze-and-excitation (paper Fig. 4): pool, 1x1 conv to a quarter (rounded to 8), ReLU, 1x1 conv back, hard-sigmoid gate. */
function seBlock(x: Sym, filters: number, prefix: string): Sym {
  let se = applyLayer(tf.layers.globalAveragePooling2d({ name: `${prefix}squeeze_excite_AvgPool` }), x);
  se = applyLayer(
    tf.layers.reshape({ targetShape: [1, 1, filters], name: `${prefix}squeeze_excite_reshape` }),
    se,
  );
  se = applyLayer(
    tf.layers.conv2d({
      filters: depth(filters * 0.25),
      kernelSize: 1,
      padding: "same",
      name: `${prefix}squeeze_excite_Conv`,
    }),
    se,
  );
  se = applyLayer(tf.layers.reLU({ name: `${prefix}squeeze_excite_Relu` }), se);
  se = applyLayer(
    tf.layers.conv2d({ filters, kernelSize: 1, padding: "same", name: `${prefix}squeeze_excite_Conv_1` }),
    se,
  );
  se = applyLayer(new HardSigmoid({ name: `${prefix}squeeze_excite_hard_sigmoid` }), se);
  return applyLayer(tf.layers.multiply({ name: `${prefix}squeeze_excite_Mul` }), [x, se]);
}

/** One bneck row of Table 1: expansion size, output channels, kernel, stride, SE, nonlinearity. */
interface Bneck {
  exp: number;
  out: number;
  kernel: number;
  stride: number;
  se: boolean;
  nl: Nonlinearity;
}

/** Inverted residual block with optional SE (paper Fig. 4); Keras names with "/" written "_". */
function bneck(x: Sym, b: Bneck, blockId: number): Sym {
  const input = x;
  const inChannels = channels(x);
  const prefix = blockId === 0 ? "expanded_conv_" : `expanded_conv_${blockId}_`;
  if (blockId !== 0) {
    x = applyLayer(
      tf.layers.conv2d({
        filters: b.exp,
        kernelSize: 1,
        padding: "same",
        useBias: false,
        name: `${prefix}expand`,
      }),
      x,
    );
    x = applyLayer(v3BatchNorm(`${prefix}expand_BatchNorm`), x);
    x = applyLayer(nonlinearity(b.nl, `${prefix}expand_`), x);
  }
  if (b.stride === 2) {
    x = applyLayer(
      tf.layers.zeroPadding2d({ padding: correctPad(x, b.kernel), name: `${prefix}depthwise_pad` }),
      x,
    );
  }
  x = applyLayer(
    tf.layers.depthwiseConv2d({
      kernelSize: b.kernel,
      strides: b.stride,
      padding: b.stride === 1 ? "same" : "valid",
      useBias: false,
      name: `${prefix}depthwise`,
    }),
    x,
  );
  x = applyLayer(v3BatchNorm(`${prefix}depthwise_BatchNorm`), x);
  x = applyLayer(nonlinearity(b.nl, `${prefix}depthwise_`), x);
  if (b.se) x = seBlock(x, b.exp, prefix);
  x = applyLayer(
    tf.layers.conv2d({
      filters: b.out,
      kernelSize: 1,
      padding: "same",
      useBias: false,
      name: `${prefix}project`,
    }),
    x,
  );
  x = applyLayer(v3BatchNorm(`${prefix}project_BatchNorm`), x);
  if (b.stride === 1 && inChannels === b.out) {
    x = applyLayer(tf.layers.add({ name: `${prefix}Add` }), [input, x]);
  }
  return x;
}

/** Paper Table 1 (MobileNetV3-Large), the 15 bneck rows after the 16-filter stem. */
const LARGE: Bneck[] = [
  { exp: 16, out: 16, kernel: 3, stride: 1, se: false, nl: "RE" },
  { exp: 64, out: 24, kernel: 3, stride: 2, se: false, nl: "RE" },
  { exp: 72, out: 24, kernel: 3, stride: 1, se: false, nl: "RE" },
  { exp: 72, out: 40, kernel: 5, stride: 2, se: true, nl: "RE" },
  { exp: 120, out: 40, kernel: 5, stride: 1, se: true, nl: "RE" },
  { exp: 120, out: 40, kernel: 5, stride: 1, se: true, nl: "RE" },
  { exp: 240, out: 80, kernel: 3, stride: 2, se: false, nl: "HS" },
  { exp: 200, out: 80, kernel: 3, stride: 1, se: false, nl: "HS" },
  { exp: 184, out: 80, kernel: 3, stride: 1, se: false, nl: "HS" },
  { exp: 184, out: 80, kernel: 3, stride: 1, se: false, nl: "HS" },
  { exp: 480, out: 112, kernel: 3, stride: 1, se: true, nl: "HS" },
  { exp: 672, out: 112, kernel: 3, stride: 1, se: true, nl: "HS" },
  { exp: 672, out: 160, kernel: 5, stride: 2, se: true, nl: "HS" },
  { exp: 960, out: 160, kernel: 5, stride: 1, se: true, nl: "HS" },
  { exp: 960, out: 160, kernel: 5, stride: 1, se: true, nl: "HS" },
];

/**
 * MobileNetV3-Large (alpha 1.0, not minimalistic) for 224x224x3 inputs with the 1000-class top, as
 * Keras Applications' `MobileNetV3Large(include_top=True)` builds it (Howard et al. 2019, Table 1):
 * Rescaling to [-1, 1], a 16-filter stride-2 stem with hard-swish, 15 bneck blocks (ReLU in the first
 * six, hard-swish after; squeeze-and-excitation with a hard-sigmoid gate in eight of them), a 1x1 conv
 * to 960 channels, global average pooling, the 1x1 conv "head" to 1280 channels (with bias, hard-swish,
 * no batch norm), dropout 0.2, a 1x1 conv to the classes, flatten and softmax.
 *
 * Parameters as Keras reports them: 5,507,432 total = 5,483,032 trainable + 24,400 non-trainable
 * (batch-norm moving means and variances of 12,200 channels). The 5,483,032 sometimes quoted as the
 * total is the trainable count; the paper's Table 3 rounds to 5.4M. Randomly initialised: no
 * pretrained weights.
 */
export function mobileNetV3Large(options?: ReferenceModelOptions): tf.LayersModel {
  const { inputSize, classes } = checkOptions(options);
  const input = tf.input({ shape: [inputSize, inputSize, 3], name: "input_1" });
  let x = applyLayer(tf.layers.rescaling({ scale: 1 / 127.5, offset: -1, name: "rescaling" }), input);
  x = applyLayer(
    tf.layers.conv2d({
      filters: 16,
      kernelSize: 3,
      strides: 2,
      padding: "same",
      useBias: false,
      name: "Conv",
    }),
    x,
  );
  x = applyLayer(v3BatchNorm("Conv_BatchNorm"), x);
  x = applyLayer(nonlinearity("HS", "Conv_"), x);
  LARGE.forEach((b, i) => {
    x = bneck(x, b, i);
  });

  const lastConv = depth(channels(x) * 6);
  x = applyLayer(
    tf.layers.conv2d({ filters: lastConv, kernelSize: 1, padding: "same", useBias: false, name: "Conv_1" }),
    x,
  );
  x = applyLayer(v3BatchNorm("Conv_1_BatchNorm"), x);
  x = applyLayer(nonlinearity("HS", "Conv_1_"), x);
  x = applyLayer(tf.layers.globalAveragePooling2d({ name: "global_average_pooling2d" }), x);
  x = applyLayer(tf.layers.reshape({ targetShape: [1, 1, lastConv], name: "reshape" }), x);
  x = applyLayer(tf.layers.conv2d({ filters: 1280, kernelSize: 1, padding: "same", name: "Conv_2" }), x);
  x = applyLayer(nonlinearity("HS", "Conv_2_"), x);
  x = applyLayer(tf.layers.dropout({ rate: 0.2, name: "dropout" }), x);
  x = applyLayer(tf.layers.conv2d({ filters: classes, kernelSize: 1, padding: "same", name: "Logits" }), x);
  x = applyLayer(tf.layers.flatten({ name: "flatten" }), x);
  x = applyLayer(tf.layers.activation({ activation: "softmax", name: "Predictions" }), x);
  return tf.model({ inputs: input, outputs: x, name: `MobilenetV3large` });
}
