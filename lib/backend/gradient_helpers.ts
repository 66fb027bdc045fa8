/**
 * Types and NHWC shape helpers shared by the wasm gradient overrides (only ops that are fast on
 * wasm: reshape, rank<=4 transpose, pad, stack/concat, slices with long contiguous rows).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";

// ---------------------------------------------------------------------------
// Gradient overrides
// ---------------------------------------------------------------------------

type GradConfig = NonNullable<ReturnType<typeof tf.getGradient>>;
export type GradFunc = GradConfig["gradFunc"];
export type GradMap = ReturnType<GradFunc>;
export type Attrs = Parameters<GradFunc>[2];
/** A fast gradient, or null when this case is not handled (use the original). */
export type FastGrad = (dy: tf.Tensor, saved: tf.Tensor[], attrs: Attrs) =>
  | GradMap
  | null;
export type Pad = "valid" | "same" | number | number[][];
export type Pair = [number, number];

// ---------------------------------------------------------------------------
// Shape helpers (NHWC; only ops that are fast on wasm: reshape, rank<=4
// transpose, pad, stack/concat, slices with long contiguous rows)
// ---------------------------------------------------------------------------

/**
 * Stride phases of x [N, H, W, C] (H, W multiples of sh, sw), stacked:
 * result[a*sw + b] = x[:, a::sh, b::sw, :], shape [sh*sw, N, H/sh, W/sw, C].
 * Two rank-4 transposes (rank-5+ transposes are slow on wasm).
 */
export function splitPhases(x: tf.Tensor4D, sh: number, sw: number): tf.Tensor {
  const [n, h, w, c] = x.shape;
  const hq = h / sh;
  const wq = w / sw;
  const rowsFirst = tf.transpose(tf.reshape(x, [n * hq, sh, wq, sw * c]), [
    1,
    0,
    2,
    3,
  ]); // [sh, N*hq, wq, sw*C]
  const colsNext = tf.transpose(
    tf.reshape(rowsFirst, [sh, n * hq * wq, sw, c]),
    [0, 2, 1, 3],
  ); // [sh, sw, N*hq*wq, C]
  return tf.reshape(colsNext, [sh * sw, n, hq, wq, c]);
}

/** Inverse of {@link splitPhases}: [sh*sw, N, hq, wq, C] -> [N, hq*sh, wq*sw, C]. */
export function mergePhases(phases: tf.Tensor, sh: number, sw: number): tf.Tensor4D {
  const [, n, hq, wq, c] = phases.shape;
  const colsBack = tf.transpose(
    tf.reshape(phases, [sh, sw, n * hq * wq, c]),
    [0, 2, 1, 3],
  ); // [sh, N*hq*wq, sw, C]
  const rowsBack = tf.transpose(
    tf.reshape(colsBack, [sh, n * hq, wq * sw * c]),
    [1, 0, 2],
  ); // [N*hq, sh, wq*sw*C]
  return tf.reshape(rowsBack, [n, hq * sh, wq * sw, c]);
}

/** Add zeros around rows/cols (positive amounts) or cut them off (negative). */
export function padOrCrop(
  x: tf.Tensor4D,
  top: number,
  bottom: number,
  left: number,
  right: number,
): tf.Tensor4D {
  const amounts = [top, bottom, left, right];
  const [gt, gb, gl, gr] = amounts.map((v) => Math.max(v, 0));
  let out = x;
  if (gt + gb + gl + gr > 0) {
    out = tf.pad(out, [[0, 0], [gt, gb], [gl, gr], [0, 0]]);
  }
  const [ct, cb, cl, cr] = amounts.map((v) => Math.max(-v, 0));
  if (ct + cb + cl + cr === 0) return out;
  const [n, h, w, c] = out.shape;
  // Slice a [N, H, W*C] view so each copied run is a whole row segment.
  const flat = tf.reshape(out, [n, h, w * c]);
  const kept = tf.slice(flat, [0, ct, cl * c], [n, h - ct - cb, (w - cl - cr) * c]);
  return tf.reshape(kept, [n, h - ct - cb, w - cl - cr, c]);
}

export function toPair(value: number | number[] | undefined): Pair {
  if (value === undefined) return [1, 1];
  if (typeof value === "number") return [value, value];
  return [value[0], value.length > 1 ? value[1] : value[0]];
}

export function isAllOnes(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === "number") return value === 1;
  return Array.isArray(value) && value.every((v) => v === 1);
}
