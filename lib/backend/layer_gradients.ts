/**
 * The batch-norm, max-pool and dense (BatchMatMul) gradients on wasm: batch-norm factors broadcast
 * instead of tiled, max-pool routed to the first maximum of each window (tfjs cpu's tie rule), and
 * transposed matMuls as an explicit transpose plus a plain matMul.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { type Attrs, type GradMap, mergePhases, padOrCrop, splitPhases, toPair } from "./gradient_helpers.ts";

// ---------------------------------------------------------------------------
// FusedBatchNorm
// ---------------------------------------------------------------------------

/**
 * The batch-norm gradient of tfjs-core, but with the per-channel factors broadcast by the multiply itself:
 * tfjs-core tiles `1/sqrt(variance + eps)` to the full activation shape first, and wasm's Tile is a
 * per-element loop (a third of a 001-enhanced training step). The sums over batch and space become the
 * pooled reductions above. Handles the layers' case: NHWC (or [N, C]) with per-channel mean and variance.
 */
export function fastBatchNormGrad(dy: tf.Tensor, saved: tf.Tensor[], attrs: Attrs): GradMap | null {
  const [x, mean, variance, scale] = saved;
  if (mean.rank !== 1 || variance.rank !== 1 || x.shape[x.rank - 1] !== mean.shape[0]) return null;
  if (scale !== undefined && scale !== null && scale.rank !== 1) return null;
  const epsilon = (attrs as { varianceEpsilon: number }).varianceEpsilon;
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  // Per-channel factors and the two sums the parameter gradients share, computed once here (the
  // gradient tape's own tidy disposes of them after the backward pass).
  const rstd = tf.rsqrt(tf.add(variance, epsilon));
  const gain = scale ? tf.mul(rstd, scale) : rstd;
  const sumDy = tf.sum(dy, axes);
  const sumDyCentered = tf.sum(tf.mul(dy, tf.sub(x, mean)), axes);
  return {
    x: () => tf.mul(dy, gain),
    mean: () => tf.neg(tf.mul(sumDy, gain)),
    variance: () => tf.mul(sumDyCentered, tf.mul(tf.mul(tf.square(rstd), gain), -0.5)),
    scale: () => tf.mul(sumDyCentered, rstd),
    offset: () => tf.clone(sumDy),
  };
}

// ---------------------------------------------------------------------------
// MaxPool
// ---------------------------------------------------------------------------

export function fastMaxPoolGrad(
  dy: tf.Tensor,
  saved: tf.Tensor[],
  attrs: Attrs,
): GradMap | null {
  const [x, y] = saved as [tf.Tensor4D, tf.Tensor4D];
  const a = attrs as Record<string, unknown>;
  if (x.rank !== 4 || x.dtype !== "float32") return null;
  const [ph, pw] = toPair(a.filterSize as number | number[]);
  const [sh, sw] = toPair(a.strides as number | number[]);
  const [, inH, inW] = x.shape;
  const [, outH, outW] = y.shape;
  const nonOverlapping = ph === sh && pw === sw;
  const unpadded = a.pad === "valid" || a.pad === 0 ||
    (a.pad === "same" && inH % ph === 0 && inW % pw === 0);
  const fits = outH * ph <= inH && outW * pw <= inW;
  if (!nonOverlapping || !unpadded || !fits) return null;
  return {
    x: () => tf.tidy(() => maxPoolGrad(dy as tf.Tensor4D, x, y, ph, pw)),
  };
}

/**
 * Route each dy value to the first (row-major) input of its window that
 * equals the window max, exactly like tfjs's cpu MaxPoolGrad; inputs in the
 * leftover rows/cols that no window covers get zero.
 *
 * With the window offsets as a leading axis ([ph*pw, M], M = N*outH*outW*C):
 * notMax = step(y - x) is 0 exactly where x equals the max (y >= x always),
 * and an exclusive cumprod of notMax along the offsets is 1 only up to the
 * first max. All of it is elementwise float math that wasm runs fast
 * (unlike its Equal/Logical* kernels).
 */
function maxPoolGrad(
  dy: tf.Tensor4D,
  x: tf.Tensor4D,
  y: tf.Tensor4D,
  ph: number,
  pw: number,
): tf.Tensor4D {
  const [n, inH, inW, c] = x.shape;
  const [, outH, outW] = y.shape;
  const offsets = ph * pw;
  const size = n * outH * outW * c;
  const covered = padOrCrop(x, 0, outH * ph - inH, 0, outW * pw - inW);
  const windows = tf.reshape(splitPhases(covered, ph, pw), [offsets, size]);
  const repeat = (t: tf.Tensor) => tf.stack(new Array<tf.Tensor>(offsets).fill(tf.reshape(t, [size])));
  const notMax = tf.step(tf.sub(repeat(y), windows));
  const beforeFirstMax = tf.cumprod(notMax, 0, true);
  const first = tf.mul(tf.sub(1, notMax), beforeFirstMax);
  const grad = tf.reshape(tf.mul(first, repeat(dy)), [
    offsets,
    n,
    outH,
    outW,
    c,
  ]);
  const merged = mergePhases(grad, ph, pw);
  return padOrCrop(merged, 0, inH - outH * ph, 0, inW - outW * pw);
}

// ---------------------------------------------------------------------------
// BatchMatMul
// ---------------------------------------------------------------------------

/**
 * The standard matMul gradient (same cases as tfjs), but every transposed
 * operand is transposed explicitly first: wasm runs only the plain
 * `matMul(a, b)` through XNNPACK; its transposed variants are slow loops.
 */
export function fastBatchMatMulGrad(
  dy: tf.Tensor,
  saved: tf.Tensor[],
  attrs: Attrs,
): GradMap | null {
  const [a, b] = saved;
  if (Math.max(a.rank, b.rank, dy.rank) > 4) return null;
  const { transposeA, transposeB } = attrs as Record<string, boolean>;
  const mm = (x: tf.Tensor, y: tf.Tensor, tx: boolean, ty: boolean) => () =>
    tf.tidy(() => plainMatMul(x, y, tx, ty));
  if (!transposeA && !transposeB) {
    return { a: mm(dy, b, false, true), b: mm(a, dy, true, false) };
  }
  if (!transposeA && transposeB) {
    return { a: mm(dy, b, false, false), b: mm(dy, a, true, false) };
  }
  if (transposeA && !transposeB) {
    return { a: mm(b, dy, false, true), b: mm(a, dy, false, false) };
  }
  return { a: mm(b, dy, true, true), b: mm(dy, a, true, true) };
}

/** matMul(x, y, tx, ty) with the transposes materialised. */
function plainMatMul(
  x: tf.Tensor,
  y: tf.Tensor,
  tx: boolean,
  ty: boolean,
): tf.Tensor {
  const swapLast = (t: tf.Tensor) => {
    const perm = t.shape.map((_, i) => i);
    [perm[t.rank - 2], perm[t.rank - 1]] = [perm[t.rank - 1], perm[t.rank - 2]];
    return tf.transpose(t, perm);
  };
  return tf.matMul(tx ? swapLast(x) : x, ty ? swapLast(y) : y);
}
