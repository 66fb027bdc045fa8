/**
 * The start-up self-check of the oneDNN path: each replaced kernel, on small inputs covering strides,
 * 'same' and 'valid' padding, one input channel, odd sizes, overlapping pooling windows, bias and ReLU,
 * must give what tfjs's pure-JS `cpu` backend gives (forward and gradients), and a convolution must not
 * run slower than on plain wasm. (The reference is `cpu`, not plain wasm: tfjs-backend-wasm's own
 * `MaxPoolGrad` is wrong for overlapping windows whose maximum is negative.)
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { oneDnnActive, setOneDnnActive } from "./onednn_kernels.ts";

/** Largest difference allowed, relative to the larger of 1 and the reference's largest magnitude. */
export const SELF_CHECK_TOLERANCE = 1e-4;

/** Deterministic values in [-1, 1) (a sine hash), so both paths see identical inputs. */
function values(shape: number[], seed: number): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const v = Math.sin((i + 1) * 12.9898 + seed * 78.233) * 43758.5453;
    out[i] = 2 * (v - Math.floor(v)) - 1;
  }
  return tf.tensor(out, shape);
}

/** A case: a function of some inputs whose value and gradients both paths compute. */
interface Case {
  name: string;
  shapes: number[][];
  fn: (...xs: tf.Tensor[]) => tf.Tensor;
}

/** The cases the check runs (exported for the tests, which run them against the cpu backend too). */
export const SELF_CHECK_CASES: readonly Case[] = [
  {
    name: "conv2d 3x3 stride 1 same, 1 input channel",
    shapes: [[2, 9, 7, 1], [3, 3, 1, 4]],
    fn: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "same"),
  },
  {
    name: "conv2d 3x3 stride 2 same, odd size",
    shapes: [[2, 9, 7, 3], [3, 3, 3, 5]],
    fn: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, "same"),
  },
  {
    name: "conv2d 5x5 stride 1 valid",
    shapes: [[1, 10, 11, 4], [5, 5, 4, 6]],
    fn: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "valid"),
  },
  {
    name: "conv2d 2x3 strides [2,1] valid",
    shapes: [[2, 8, 9, 2], [2, 3, 2, 3]],
    fn: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, [2, 1], "valid"),
  },
  {
    name: "fused conv2d with bias and relu",
    shapes: [[2, 6, 6, 8], [3, 3, 8, 16], [16]],
    fn: (x, w, b) =>
      tf.fused.conv2d({
        x: x as tf.Tensor4D,
        filter: w as tf.Tensor4D,
        strides: 1,
        pad: "same",
        bias: b,
        activation: "relu",
      }),
  },
  {
    name: "conv2d, bias add and relu, unfused as in training",
    shapes: [[4, 16, 16, 16], [3, 3, 16, 32], [32]],
    fn: (x, w, b) => tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "same"), b)),
  },
  {
    name: "binary ops with a broadcast operand, both orders",
    shapes: [[4, 16, 16, 16], [16]],
    fn: (x, c) =>
      tf.minimum(
        tf.maximum(tf.div(tf.sub(tf.mul(c, x), c), tf.add(c, 3)), tf.mul(x, 0.5)),
        tf.add(tf.sub(x, tf.ones([1, 1, 1, 16])), 1.25),
      ),
  },
  {
    name: "unary ops",
    shapes: [[4, 16, 16, 16]],
    fn: (x) =>
      tf.add(tf.sqrt(tf.add(tf.square(x), 1)), tf.add(tf.exp(tf.neg(x)), tf.log(tf.add(tf.square(x), 1)))),
  },
  {
    name: "batch normalisation with given statistics, scale and offset",
    shapes: [[4, 16, 16, 16], [16], [16], [16], [16]],
    fn: (x, mean, v, offset, scale) =>
      tf.batchNorm(x as tf.Tensor4D, mean, tf.add(tf.square(v), 0.1), offset, scale, 1e-3),
  },
  {
    name: "maxPool 2x2 stride 2 valid, odd size",
    shapes: [[2, 9, 7, 3]],
    fn: (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, "valid"),
  },
  {
    name: "maxPool 3x3 stride 2 same",
    shapes: [[2, 8, 7, 4]],
    fn: (x) => tf.maxPool(x as tf.Tensor4D, 3, 2, "same"),
  },
  {
    name: "avgPool 2x2 stride 2 valid, and 3x3 stride 2 same",
    shapes: [[2, 9, 8, 3]],
    fn: (x) =>
      tf.add(
        tf.sum(tf.avgPool(x as tf.Tensor4D, 2, 2, "valid")),
        tf.sum(tf.avgPool(x as tf.Tensor4D, 3, 2, "same")),
      ),
  },
  {
    name: "matMul with transposes and batches",
    shapes: [[3, 5, 7], [3, 6, 7]],
    fn: (a, b) => tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D, false, true),
  },
  {
    name: "matMul of matrices, first transposed",
    shapes: [[7, 5], [7, 6]],
    fn: (a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, true, false),
  },
  {
    name: "fused matMul with bias and relu",
    shapes: [[6, 9], [9, 4], [4]],
    fn: (a, b, bias) =>
      tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias, activation: "relu" }),
  },
];

/** Value and gradients of `sum(fn(...) * sin(i))` (a dy that differs everywhere), as arrays. */
export function evaluateCase(c: Case): Float32Array[] {
  return tf.tidy(() => {
    const xs = c.shapes.map((shape, i) => values(shape, i + 1));
    const y = c.fn(...xs);
    const weights = tf.tensor(Float32Array.from({ length: y.size }, (_, i) => Math.sin(i + 0.5)), y.shape);
    const grads = tf.grads((...inputs: tf.Tensor[]) => tf.sum(tf.mul(c.fn(...inputs), weights)))(xs);
    return [y, ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

/** Largest difference between two arrays, relative to max(1, largest reference magnitude). */
export function scaledMaxDiff(expected: Float32Array, actual: Float32Array): number {
  let scale = 1;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]));
    const d = Math.abs(expected[i] - actual[i]);
    diff = Number.isNaN(d) ? Infinity : Math.max(diff, d);
  }
  return expected.length === actual.length ? diff / scale : Infinity;
}

/**
 * Run every case with oneDNN's kernels (on the wasm backend, which must be active) and on the `cpu`
 * backend, and time one training-sized convolution with and without oneDNN. Returns null when oneDNN
 * agrees and is not slower, else the reason in one line. Leaves the wasm backend active, with oneDNN's
 * kernels on only when it returns null.
 */
export async function oneDnnSelfCheck(): Promise<string | null> {
  try {
    await tf.setBackend("cpu");
    // The cpu backend's "install tfjs-node" banner: the selection reports backends already.
    const cpu = tf.findBackend("cpu") as unknown as { firstUse?: boolean };
    if (typeof cpu.firstUse === "boolean") cpu.firstUse = false;
    const reference = SELF_CHECK_CASES.map(evaluateCase);
    await tf.setBackend("wasm");
    setOneDnnActive(true);
    if (!oneDnnActive()) return "oneDNN kernels are not installed";
    for (const [n, c] of SELF_CHECK_CASES.entries()) {
      const fast = evaluateCase(c);
      for (let i = 0; i < fast.length; i++) {
        const diff = scaledMaxDiff(reference[n][i], fast[i]);
        if (!(diff <= SELF_CHECK_TOLERANCE)) {
          setOneDnnActive(false);
          const what = i === 0 ? "output" : `gradient ${i}`;
          return `self-check failed: ${c.name}, ${what} differs from the cpu backend's by ${
            diff.toExponential(1)
          }`;
        }
      }
    }
    const [plainMs, fastMs] = [false, true].map((on) => {
      setOneDnnActive(on);
      return timeConvolution();
    });
    if (fastMs > plainMs) {
      setOneDnnActive(false);
      return `slower than plain wasm here (a 32x14x14x32 convolution: ${fastMs.toFixed(2)} ms against ${
        plainMs.toFixed(2)
      } ms)`;
    }
    setOneDnnActive(true);
    return null;
  } catch (error) {
    setOneDnnActive(false);
    if (tf.getBackend() !== "wasm") await tf.setBackend("wasm");
    return `self-check failed: ${(error instanceof Error ? error.message : String(error)).split("\n")[0]}`;
  }
}

/** Best of five: milliseconds for a 3x3 convolution of a 32x14x14x32 batch to 32 channels. */
function timeConvolution(): number {
  return tf.tidy(() => {
    const x = values([32, 14, 14, 32], 1) as tf.Tensor4D;
    const w = values([3, 3, 32, 32], 2) as tf.Tensor4D;
    tf.conv2d(x, w, 1, "same").dataSync(); // warm-up: primitives are built on first use
    let best = Infinity;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      tf.conv2d(x, w, 1, "same").dataSync();
      best = Math.min(best, performance.now() - t0);
    }
    return best;
  });
}
