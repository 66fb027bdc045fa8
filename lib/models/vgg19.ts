/**
 * VGG19 (Simonyan & Zisserman, ICLR 2015, Table 1, configuration E) in tfjs layers, as Keras Applications
 * lays it out, so its parameter count matches Keras's (143,667,240 with the top). Random weights: for
 * counting and timing. Mind the size: 575 MB of float32 weights, 548 MB of them in the two 4096-wide
 * fully connected layers; dispose the model when done.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { applyLayer, checkOptions, type ReferenceModelOptions } from "./reference.ts";

/** Configuration E of the paper's Table 1: 3x3 convolutions per block (filters, count); 2x2 max pooling after each. */
const CONFIG_E: [number, number][] = [[64, 2], [128, 2], [256, 4], [512, 4], [512, 4]];

/**
 * VGG19 for 224x224x3 inputs with the 1000-class top, as Keras Applications' `VGG19(include_top=True)`
 * builds it (Simonyan & Zisserman 2015, configuration E): 16 3x3 'same' convolutions with bias and ReLU
 * in five blocks of 2, 2, 4, 4, 4 (64-128-256-512-512 filters), each block ending in 2x2 stride-2 max
 * pooling, then flatten (7x7x512 = 25,088), two 4096-unit ReLU layers ("fc1", "fc2"; no dropout, as in
 * Keras) and a softmax classifier. No batch norm and no preprocessing layer (Keras's `preprocess_input`
 * is a separate function), so all 143,667,240 parameters are trainable. Randomly initialised: no
 * pretrained weights. The flatten fixes fc1's size to the input: `inputSize` changes the parameter count.
 */
export function vgg19(options?: ReferenceModelOptions): tf.LayersModel {
  const { inputSize, classes } = checkOptions(options);
  const input = tf.input({ shape: [inputSize, inputSize, 3], name: "input_1" });
  let x = input;
  CONFIG_E.forEach(([filters, convs], b) => {
    for (let i = 0; i < convs; i++) {
      x = applyLayer(
        tf.layers.conv2d({
          filters,
          kernelSize: 3,
          padding: "same",
          activation: "relu",
          name: `block${b + 1}_conv${i + 1}`,
        }),
        x,
      );
    }
    x = applyLayer(tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `block${b + 1}_pool` }), x);
  });
  x = applyLayer(tf.layers.flatten({ name: "flatten" }), x);
  x = applyLayer(tf.layers.dense({ units: 4096, activation: "relu", name: "fc1" }), x);
  x = applyLayer(tf.layers.dense({ units: 4096, activation: "relu", name: "fc2" }), x);
  x = applyLayer(tf.layers.dense({ units: classes, activation: "softmax", name: "predictions" }), x);
  return tf.model({ inputs: input, outputs: x, name: "vgg19" });
}
