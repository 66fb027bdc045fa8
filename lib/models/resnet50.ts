/**
 * ResNet-50 (He, Zhang, Ren & Sun, CVPR 2016, Table 1: bottleneck blocks) in tfjs layers, as Keras
 * Applications' `ResNet50` (v1) lays it out, so its parameter counts match Keras's (25,636,712 with the
 * top). Random weights: for counting and timing.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { applyLayer, checkOptions, type ReferenceModelOptions, type Sym } from "./reference.ts";

function resBatchNorm(name: string): tf.layers.Layer {
  return tf.layers.batchNormalization({ axis: -1, epsilon: 1.001e-5, name });
}

function relu(name: string): tf.layers.Layer {
  return tf.layers.activation({ activation: "relu", name });
}

/**
 * Bottleneck block (paper Fig. 5, right): 1x1 conv to `filters`, 3x3 conv, 1x1 conv to `4 * filters`,
 * each with bias and batch norm; added to the input, or to a 1x1 projection of it (option B) where the
 * shape changes. As in Keras (and the original Caffe model), a stride-2 block downsamples in its first
 * 1x1 conv and in the projection, not in the 3x3 conv.
 */
function bottleneck(x: Sym, filters: number, stride: number, project: boolean, name: string): Sym {
  let shortcut = x;
  if (project) {
    shortcut = applyLayer(
      tf.layers.conv2d({ filters: 4 * filters, kernelSize: 1, strides: stride, name: `${name}_0_conv` }),
      x,
    );
    shortcut = applyLayer(resBatchNorm(`${name}_0_bn`), shortcut);
  }
  x = applyLayer(tf.layers.conv2d({ filters, kernelSize: 1, strides: stride, name: `${name}_1_conv` }), x);
  x = applyLayer(resBatchNorm(`${name}_1_bn`), x);
  x = applyLayer(relu(`${name}_1_relu`), x);
  x = applyLayer(tf.layers.conv2d({ filters, kernelSize: 3, padding: "same", name: `${name}_2_conv` }), x);
  x = applyLayer(resBatchNorm(`${name}_2_bn`), x);
  x = applyLayer(relu(`${name}_2_relu`), x);
  x = applyLayer(tf.layers.conv2d({ filters: 4 * filters, kernelSize: 1, name: `${name}_3_conv` }), x);
  x = applyLayer(resBatchNorm(`${name}_3_bn`), x);
  x = applyLayer(tf.layers.add({ name: `${name}_add` }), [shortcut, x]);
  return applyLayer(relu(`${name}_out`), x);
}

/** Paper Table 1, 50-layer column: stages conv2_x..conv5_x as (bottleneck width, blocks, first stride). */
const STAGES: [number, number, number][] = [[64, 3, 1], [128, 4, 2], [256, 6, 2], [512, 3, 2]];

/**
 * ResNet-50 (v1) for 224x224x3 inputs with the 1000-class top, as Keras Applications' `ResNet50(
 * include_top=True)` builds it (He et al. 2016, Table 1): 7x7/2 conv with 64 filters, 3x3/2 max
 * pooling, 16 bottleneck blocks in four stages (3, 4, 6, 3 blocks; 256-512-1024-2048 output
 * channels), global average pooling and a softmax classifier. Every conv has a bias and is followed
 * by batch norm (epsilon 1.001e-5), as in Keras.
 *
 * Parameters: 25,636,712 as Keras reports = 25,583,592 trainable + 53,120 non-trainable (batch-norm
 * moving means and variances). Randomly initialised: no pretrained weights.
 */
export function resNet50(options?: ReferenceModelOptions): tf.LayersModel {
  const { inputSize, classes } = checkOptions(options);
  const input = tf.input({ shape: [inputSize, inputSize, 3], name: "input_1" });
  let x = applyLayer(tf.layers.zeroPadding2d({ padding: [[3, 3], [3, 3]], name: "conv1_pad" }), input);
  x = applyLayer(tf.layers.conv2d({ filters: 64, kernelSize: 7, strides: 2, name: "conv1_conv" }), x);
  x = applyLayer(resBatchNorm("conv1_bn"), x);
  x = applyLayer(relu("conv1_relu"), x);
  x = applyLayer(tf.layers.zeroPadding2d({ padding: [[1, 1], [1, 1]], name: "pool1_pad" }), x);
  x = applyLayer(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, name: "pool1_pool" }), x);
  STAGES.forEach(([filters, blocks, stride], s) => {
    for (let i = 0; i < blocks; i++) {
      x = bottleneck(x, filters, i === 0 ? stride : 1, i === 0, `conv${s + 2}_block${i + 1}`);
    }
  });
  x = applyLayer(tf.layers.globalAveragePooling2d({ name: "avg_pool" }), x);
  x = applyLayer(tf.layers.dense({ units: classes, activation: "softmax", name: "predictions" }), x);
  return tf.model({ inputs: input, outputs: x, name: "resnet50" });
}
