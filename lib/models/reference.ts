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
 * (This module: what the two builders share; `mobilenet_v2.ts` and `efficientnet_b0.ts` build them.)
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

export type Sym = tf.SymbolicTensor;

export function applyLayer(layer: tf.layers.Layer, x: Sym | Sym[]): Sym {
  return layer.apply(x) as Sym;
}

export function checkOptions(
  options: ReferenceModelOptions | undefined,
): { inputSize: number; classes: number } {
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
export function correctPad(x: Sym, kernel: number): [[number, number], [number, number]] {
  const [h, w] = [x.shape[1], x.shape[2]];
  const adjust = [h == null ? 1 : 1 - (h % 2), w == null ? 1 : 1 - (w % 2)];
  const c = Math.floor(kernel / 2);
  return [[c - adjust[0], c], [c - adjust[1], c]];
}

export function channels(x: Sym): number {
  const c = x.shape[x.shape.length - 1];
  if (c == null) throw new Error("channel dimension must be known");
  return c;
}
