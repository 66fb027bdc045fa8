/**
 * Reference ImageNet architectures rebuilt in tfjs layers, so Abdul Aziz & Sayed (section 5.2, Table 2)
 * can quote their parameter counts next to our small Fashion-MNIST CNN.
 *
 * - MobileNetV2: Sandler, Howard, Zhu, Zhmoginov & Chen, "MobileNetV2: Inverted Residuals and
 *   Linear Bottlenecks", CVPR 2018 (arXiv:1801.04381), Table 2.
 * - MobileNetV3-Large: Howard et al., "Searching for MobileNetV3", ICCV 2019 (arXiv:1905.02244), Table 1.
 * - EfficientNet-B0 and -B3: Tan & Le, "EfficientNet: Rethinking Model Scaling for Convolutional Neural
 *   Networks", ICML 2019 (arXiv:1905.11946), Table 1 and compound scaling, with MBConv blocks +
 *   squeeze-and-excitation.
 * - VGG19: Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale Image Recognition",
 *   ICLR 2015 (arXiv:1409.1556), Table 1, configuration E.
 * - ResNet-50: He, Zhang, Ren & Sun, "Deep Residual Learning for Image Recognition", CVPR 2016
 *   (arXiv:1512.03385), Table 1, bottleneck blocks.
 *
 * All follow the layer layout of Keras Applications (`include_top=True`) so that total, trainable and
 * non-trainable parameter counts match the numbers Keras reports. Weights are randomly initialised:
 * no pretrained ImageNet weights are downloaded or loaded, so these models are for counting parameters,
 * checking shapes and timing, not for prediction.
 *
 * (This module: what the builders share; `mobilenet_v2.ts`, `mobilenet_v3.ts`, `efficientnet.ts`,
 * `vgg19.ts` and `resnet50.ts` build them, `reference_models.ts` lists them by name.)
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Published parameter counts (Keras Applications, include_top=True), for comparison in tests and notebooks. */
export const PUBLISHED_COUNTS: {
  mobileNetV2: number;
  mobileNetV3Large: number;
  efficientNetB0: number;
  efficientNetB3: number;
  vgg19: number;
  resNet50: number;
} = {
  /** MobileNetV2(alpha=1.0, 224x224x3, 1000 classes): 3,504,872 trainable + 34,112 non-trainable. */
  mobileNetV2: 3_538_984,
  /**
   * MobileNetV3Large(alpha=1.0, minimalistic=False, 224x224x3, 1000 classes): 5,483,032 trainable +
   * 24,400 non-trainable. (5,483,032, sometimes quoted as the total, is the trainable count.)
   */
  mobileNetV3Large: 5_507_432,
  /** EfficientNetB0(224x224x3, 1000 classes): 5,288,548 trainable + 42,023 non-trainable. */
  efficientNetB0: 5_330_571,
  /** EfficientNetB3(300x300x3, 1000 classes): 12,233,232 trainable + 87,303 non-trainable. */
  efficientNetB3: 12_320_535,
  /** VGG19(224x224x3, 1000 classes): all 143,667,240 trainable (no batch norm). */
  vgg19: 143_667_240,
  /** ResNet50(224x224x3, 1000 classes): 25,583,592 trainable + 53,120 non-trainable. */
  resNet50: 25_636_712,
};

/** Options shared by the builders. */
export interface ReferenceModelOptions {
  /** Square input side in pixels (default 224, 300 for EfficientNet-B3); inputs are `inputSize x inputSize x 3`. */
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
  defaultSize = 224,
): { inputSize: number; classes: number } {
  const inputSize = options?.inputSize ?? defaultSize;
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
