/**
 * From bytes to tensors: pixel scaling to [0, 1] (every paper divides by 255) and NHWC batches.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { IMAGE_SIZE, PIXELS, type Subset } from "./fashion_mnist.ts";

/** Pixels scaled from 0-255 to [0, 1] as float32 (Sivakumar et al., section IV: "division by 255.0"). */
export function scaleToUnit(pixels: Uint8Array): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = pixels[i] / 255;
  return out;
}

/**
 * A subset as tensors: images `xs` of shape [n, 28, 28, 1] (NHWC) scaled to [0, 1], and labels
 * `ys` of shape [n] (int32). The caller owns both tensors (dispose them, or use `tf.tidy`).
 *
 * @example
 * ```ts
 * const { xs, ys } = toTensors(data.test);
 * xs.shape; // [10000, 28, 28, 1]
 * ```
 */
export function toTensors(subset: Subset): { xs: tf.Tensor4D; ys: tf.Tensor1D } {
  const { count } = subset;
  if (subset.images.length < count * PIXELS || subset.labels.length < count) {
    throw new RangeError(
      `subset says ${count} images but holds ${subset.images.length / PIXELS} images and ` +
        `${subset.labels.length} labels`,
    );
  }
  const xs = tf.tensor4d(
    scaleToUnit(subset.images.subarray(0, count * PIXELS)),
    [count, IMAGE_SIZE, IMAGE_SIZE, 1],
  );
  const ys = tf.tensor1d(Int32Array.from(subset.labels.subarray(0, count)), "int32");
  return { xs, ys };
}
