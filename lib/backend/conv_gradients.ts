/**
 * The Conv2D gradient on wasm: the filter gradient as one forward convolution (stride 1, 8+ input
 * channels) or im2col and a plain matMul, the input gradient as a convolution of the padded,
 * dilated dy with the flipped filter.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import {
  type Attrs,
  type GradMap,
  isAllOnes,
  type Pad,
  padOrCrop,
  type Pair,
  splitPhases,
  toPair,
} from "./gradient_helpers.ts";

// ---------------------------------------------------------------------------
// Conv2D
// ---------------------------------------------------------------------------

/** Sizes and offsets of one NHWC conv2d, read from actual tensor shapes. */
interface ConvGeometry {
  inH: number;
  inW: number;
  outH: number;
  outW: number;
  kh: number;
  kw: number;
  strides: Pair;
  /** Zero rows/cols added before the input (top, left) by the padding mode. */
  padTop: number;
  padLeft: number;
}

export function fastConv2DGrad(
  dy: tf.Tensor,
  saved: tf.Tensor[],
  attrs: Attrs,
): GradMap | null {
  const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
  const a = attrs as Record<string, unknown>;
  const supported = a.dataFormat !== "NCHW" &&
    isAllOnes(a.dilations) && x.rank === 4 && dy.rank === 4;
  if (!supported) return null;
  const dy4 = dy as tf.Tensor4D;
  const [kh, kw] = filter.shape;
  const geometry = convGeometry(x.shape, dy4.shape, [kh, kw], a);
  return {
    x: () => tf.tidy(() => conv2dInputGrad(dy4, filter, geometry)),
    filter: () => tf.tidy(() => conv2dFilterGrad(x, dy4, geometry)),
  };
}

export function convGeometry(
  xShape: number[],
  dyShape: number[],
  [kh, kw]: Pair,
  attrs: Record<string, unknown>,
): ConvGeometry {
  const [, inH, inW] = xShape;
  const [, outH, outW] = dyShape;
  const strides = toPair(attrs.strides as number | number[] | undefined);
  const pad = attrs.pad as Pad;
  const padTop = leadingPad(pad, 1, inH, outH, kh, strides[0]);
  const padLeft = leadingPad(pad, 2, inW, outW, kw, strides[1]);
  return { inH, inW, outH, outW, kh, kw, strides, padTop, padLeft };
}

/** Zeros added before axis `axis` (1 = rows, 2 = cols) by tfjs's padding. */
function leadingPad(
  pad: Pad,
  axis: 1 | 2,
  inSize: number,
  outSize: number,
  kernel: number,
  stride: number,
): number {
  if (pad === "valid") return 0;
  if (pad === "same") {
    // TensorFlow's SAME: total padding split with the extra zero at the end.
    const total = Math.max((outSize - 1) * stride + kernel - inSize, 0);
    return Math.floor(total / 2);
  }
  if (typeof pad === "number") return pad;
  return pad[axis][0]; // explicit NHWC padding [[0,0],[t,b],[l,r],[0,0]]
}

/**
 * dL/dfilter via im2col: for each kernel position (i, j), the input pixels it
 * saw form a strided slice [N, outH, outW, C] of the padded input. Stacking
 * them as rows gives colsT [kh*kw*C, N*outH*outW]; colsT x dy is the gradient.
 * Strides are handled by first splitting the input into its stride phases,
 * so every kernel position becomes a plain (contiguous-row) slice.
 */
export function conv2dFilterGrad(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  g: ConvGeometry,
): tf.Tensor4D {
  const [n, , , c] = x.shape;
  if (g.strides[0] === 1 && g.strides[1] === 1 && c >= FILTER_GRAD_AS_CONV_MIN_CHANNELS) {
    return conv2dFilterGradAsConv(x, dy, g);
  }
  const f = dy.shape[3];
  const [sh, sw] = g.strides;
  const m = n * g.outH * g.outW;
  // Rows/cols per stride phase so that every kernel position fits.
  const phaseH = Math.floor((g.kh - 1) / sh) + g.outH;
  const phaseW = Math.floor((g.kw - 1) / sw) + g.outW;
  const padded = padOrCrop(
    x,
    g.padTop,
    phaseH * sh - g.inH - g.padTop,
    g.padLeft,
    phaseW * sw - g.inW - g.padLeft,
  );
  // [phases, N, phaseH, phaseW*C]: rows of a slice below are contiguous runs.
  const phases = tf.reshape(splitPhases(padded, sh, sw), [
    sh * sw,
    n,
    phaseH,
    phaseW * c,
  ]);
  const pieces: tf.Tensor[] = [];
  for (let i = 0; i < g.kh; i++) {
    for (let j = 0; j < g.kw; j++) {
      const phase = (i % sh) * sw + (j % sw);
      const begin = [phase, 0, Math.floor(i / sh), Math.floor(j / sw) * c];
      const size = [1, n, g.outH, g.outW * c];
      pieces.push(tf.reshape(tf.slice(phases, begin, size), [m, c]));
    }
  }
  const stacked = tf.stack(pieces); // [kh*kw, M, C]
  const byChannel = c === 1 ? stacked : tf.transpose(stacked, [0, 2, 1]);
  const colsT = tf.reshape(byChannel, [g.kh * g.kw * c, m]);
  // Non-transposed matMul on purpose: it is the only fast variant on wasm.
  const grad = tf.matMul(colsT, tf.reshape(dy, [m, f]));
  return tf.reshape(grad, [g.kh, g.kw, c, f]);
}

/**
 * From this many input channels on, a stride-1 filter gradient is faster as a convolution (below) than
 * as im2col + matMul: 1.5-2x for the 32-128 channel layers of the paper models (measured, e.g. 148
 * against 225 ms for a 64x26x26x64 input); with 1 input channel im2col is faster.
 */
const FILTER_GRAD_AS_CONV_MIN_CHANNELS = 8;

/**
 * dL/dfilter at stride 1 as one forward convolution: dW[i, j, c, f] = sum over (n, y, x) of
 * xPadded[n, y + i, x + j, c] * dy[n, y, x, f] is a valid conv2d of xPadded seen as
 * [C, H, W, N] (channels as the batch, the batch as channels) with dy seen as an
 * [outH, outW, N, F] kernel; its [C, kh, kw, F] output is transposed to [kh, kw, C, F].
 * XNNPACK's convolution runs this contraction faster than a matMul over an im2col matrix.
 */
function conv2dFilterGradAsConv(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  g: ConvGeometry,
): tf.Tensor4D {
  const padded = padOrCrop(
    x,
    g.padTop,
    g.outH + g.kh - 1 - g.inH - g.padTop,
    g.padLeft,
    g.outW + g.kw - 1 - g.inW - g.padLeft,
  );
  const channelsAsBatch = tf.transpose(padded, [3, 1, 2, 0]);
  const dyAsKernel = tf.transpose(dy, [1, 2, 0, 3]);
  const grad = tf.conv2d(channelsAsBatch, dyAsKernel, 1, "valid"); // [C, kh, kw, F]
  return tf.transpose(grad, [1, 2, 0, 3]);
}

/**
 * dL/dx as a stride-1 "full" convolution: dilate dy by the stride (s-1 zeros
 * between rows/cols), pad it so the valid conv yields exactly inH x inW, and
 * convolve with the spatially flipped filter with in/out channels swapped.
 */
function conv2dInputGrad(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  g: ConvGeometry,
): tf.Tensor4D {
  const [sh, sw] = g.strides;
  const dilated = dilate(dy, sh, sw); // [N, outH*sh, outW*sw, F]
  const top = g.kh - 1 - g.padTop;
  const left = g.kw - 1 - g.padLeft;
  const padded = padOrCrop(
    dilated,
    top,
    g.inH + g.kh - 1 - top - g.outH * sh,
    left,
    g.inW + g.kw - 1 - left - g.outW * sw,
  );
  return tf.conv2d(padded, flipFilter(filter), 1, "valid");
}

/**
 * filter[kh-1-i, kw-1-j, :, :] transposed to [kh, kw, F, C]. Reversing both
 * spatial axes reverses the order of the kh*kw rows of the [kh*kw, C*F] view;
 * that is done as an exact matMul with the anti-identity (wasm's Reverse
 * kernel is a slow per-element loop, matMul is XNNPACK).
 */
function flipFilter(filter: tf.Tensor4D): tf.Tensor4D {
  const [kh, kw, c, f] = filter.shape;
  const positions = kh * kw;
  const antiIdentity = tf.reverse(tf.eye(positions), 0);
  const rows = tf.reshape(filter, [positions, c * f]);
  const flipped = tf.reshape(tf.matMul(antiIdentity, rows), [positions, c, f]);
  return tf.reshape(tf.transpose(flipped, [0, 2, 1]), [kh, kw, f, c]);
}

/** Insert s-1 zeros after every row / column of x (via concat + reshape). */
function dilate(x: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  let out = x;
  if (sw > 1) {
    const cols = tf.reshape(out, [n * h, w, 1, c]);
    const zeros = tf.zeros([n * h, w, sw - 1, c]);
    out = tf.reshape(tf.concat([cols, zeros], 2), [n, h, w * sw, c]);
  }
  if (sh > 1) {
    const rowLen = out.shape[2] * c;
    const rows = tf.reshape(out, [n, h, 1, rowLen]);
    const zeros = tf.zeros([n, h, sh - 1, rowLen]);
    out = tf.reshape(tf.concat([rows, zeros], 2), [n, h * sh, w * sw, c]);
  }
  return out;
}
