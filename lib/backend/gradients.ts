/**
 * Fast CNN gradients for the tfjs wasm backend: the overrides and how they are installed.
 *
 * Why: as shipped, the wasm backend has no `Conv2DBackpropFilter` kernel (so a CNN cannot train at
 * all) and its `Conv2DBackpropInput` and `MaxPoolGrad` kernels are slow scalar loops. The replacements
 * express the same gradients with ops that wasm runs fast: slices, concat, pad, transpose, a
 * non-transposed matMul and a forward conv2d (XNNPACK). (On wasm, only `matMul(a, b)` without
 * transposes uses XNNPACK; the transposed variants are about 13x slower.) The gradients themselves are
 * in `conv_gradients.ts` and `layer_gradients.ts`, the replaced kernels in `kernels.ts`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { type FastGrad, type GradFunc } from "./gradient_helpers.ts";
import { replaceIdentityKernel, replaceReductionKernel } from "./kernels.ts";
import { conv2dFilterGrad, convGeometry, fastConv2DGrad } from "./conv_gradients.ts";
import { fastBatchMatMulGrad, fastBatchNormGrad, fastMaxPoolGrad } from "./layer_gradients.ts";
import { oneDnnActive, RELU_GRAD_KERNEL } from "./onednn_kernels.ts";

/** Marks our gradFuncs (shared across module copies) so we never wrap twice. */
const OVERRIDE_MARK = Symbol.for("fmnist.wasmFastGradient");

/**
 * Register gradient overrides for Conv2D, MaxPool, BatchMatMul and
 * FusedBatchNorm that use fast wasm ops; on every other backend (and for
 * cases not handled: dilations, NCHW, overlapping or padded pooling) they
 * delegate to the original tfjs gradient.
 *
 * - Conv2D filter gradient: at stride 1 with 8+ input channels, one forward
 *   convolution with channels and batch swapped; otherwise im2col (one slice
 *   of the padded input per kernel position, strides via a stride-phase
 *   split), then one plain matMul.
 * - Conv2D input gradient: a forward conv2d of the (zero-dilated, padded) dy
 *   with the flipped, transposed filter.
 * - MaxPool gradient (non-overlapping windows): route dy to the first input
 *   of each window equal to the max (same tie rule as tfjs cpu), computed
 *   for all window offsets at once, then interleaved back.
 * - BatchMatMul (dense layers): the gradient's transposed matMuls are done as
 *   an explicit transpose plus a plain matMul (5-10x faster on wasm).
 * - FusedBatchNorm: per-channel factors broadcast, not tiled.
 *
 * It also registers a wasm `Conv2DBackpropFilter` kernel (missing in
 * tfjs-backend-wasm) built from the same ops, because `tf.fused.conv2d` with
 * a linear activation (a tfjs-layers conv2d without activation) calls that
 * kernel directly instead of going through the Conv2D gradient; and it
 * replaces three wasm kernels: `Sum` and `Mean` over leading axes (XNNPACK
 * average pooling) and `Identity` (shares the buffer). Idempotent.
 */
export function installWasmGradients(): void {
  // With oneDNN's kernels active, tfjs's own Conv2D and BatchMatMul gradients call kernels it serves.
  overrideGradient("Conv2D", (dy, saved, attrs) => oneDnnActive() ? null : fastConv2DGrad(dy, saved, attrs));
  overrideGradient(
    "MaxPool",
    (dy, saved, attrs) => oneDnnActive() ? null : fastMaxPoolGrad(dy, saved, attrs),
  );
  overrideGradient(
    "BatchMatMul",
    (dy, saved, attrs) => oneDnnActive() ? null : fastBatchMatMulGrad(dy, saved, attrs),
  );
  overrideGradient("FusedBatchNorm", fastBatchNormGrad);
  overrideGradient("Relu", (dy, saved) => {
    const [x] = saved;
    if (!oneDnnActive() || x.dtype !== "float32" || dy.dtype !== "float32") return null;
    return { x: () => tf.engine().runKernel(RELU_GRAD_KERNEL, { dy, x }) as tf.Tensor };
  });
  registerMissingFilterKernel();
  replaceReductionKernel("Sum", false);
  replaceReductionKernel("Mean", true);
  replaceIdentityKernel();
}

function overrideGradient(kernelName: string, fastGrad: FastGrad): void {
  const original = tf.getGradient(kernelName);
  if (original === undefined) {
    throw new Error(
      `tfjs has no gradient registered for "${kernelName}"; ` +
        "import @tensorflow/tfjs (not just tfjs-core) before lib/backend/select.ts.",
    );
  }
  if (OVERRIDE_MARK in original.gradFunc) return;
  const gradFunc: GradFunc = (dy, saved, attrs) => {
    if (tf.getBackend() === "wasm") {
      const fast = fastGrad(dy as tf.Tensor, saved, attrs);
      if (fast !== null) return fast;
    }
    return original.gradFunc(dy, saved, attrs);
  };
  Object.defineProperty(gradFunc, OVERRIDE_MARK, { value: true });
  withoutWarning(
    /^Overriding the gradient for/,
    () => tf.registerGradient({ ...original, gradFunc }),
  );
}

/** Run `fn`, dropping only console.warn messages that match `pattern`. */
function withoutWarning<T>(pattern: RegExp, fn: () => T): T {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === "string" && pattern.test(args[0])) return;
    warn(...args);
  };
  try {
    return fn();
  } finally {
    console.warn = warn;
  }
}

function registerMissingFilterKernel(): void {
  if (tf.getKernel("Conv2DBackpropFilter", "wasm") !== undefined) return;
  tf.registerKernel({
    kernelName: "Conv2DBackpropFilter",
    backendName: "wasm",
    // The engine accepts a Tensor as kernel output; the ops run on wasm.
    kernelFunc: ({ inputs, attrs }) => {
      const a = attrs as Record<string, unknown>;
      if (a.dataFormat === "NCHW") {
        throw new Error(
          "Conv2DBackpropFilter on wasm supports only NHWC data; use " +
            "dataFormat 'NHWC' (channelsLast) or another backend.",
        );
      }
      const x = inputs.x as tf.Tensor4D;
      const dy = inputs.dy as tf.Tensor4D;
      const [kh, kw] = a.filterShape as number[];
      const geometry = convGeometry(x.shape, dy.shape, [kh, kw], a);
      return tf.tidy(() => conv2dFilterGrad(x, dy, geometry));
    },
  });
}
