/**
 * MobileNetV2 (Sandler et al., CVPR 2018, Table 2) in tfjs layers, as Keras Applications lays it out,
 * so its parameter counts match Keras's (3,538,984 with the top). Random weights: for counting and timing.
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
