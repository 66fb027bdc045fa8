/**
 * Replaced wasm kernels: `Sum` and `Mean` over the leading axes as XNNPACK average pooling, and
 * `Identity` sharing its buffer instead of copying it.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";

// ---------------------------------------------------------------------------
// Reductions over the leading axes
// ---------------------------------------------------------------------------

/** Marks our replacement wasm kernels so we never wrap twice. */
const KERNEL_MARK = Symbol.for("fmnist.wasmFastKernel");

/** Below this many elements wasm's own reduction is as fast (its fixed cost is lower). */
const POOLED_REDUCTION_MIN_SIZE = 4096;

/**
 * Replace wasm's `Sum` (or `Mean`) kernel by one that reduces a float32 tensor over its leading axes (the
 * batch and spatial axes: bias, batch-norm and moments gradients) with one XNNPACK average pooling over a
 * `[1, r1, r2, K]` view of it. wasm's own kernel first transposes the reduced axes to the end; the
 * pooling is 10-20x faster for a 64x28x28x32 activation (0.2 against 3.4 ms). Sums are the pooled means
 * times the count. Small tensors and every other case go to the original kernel.
 */
export function replaceReductionKernel(kernelName: "Sum" | "Mean", isMean: boolean): void {
  replaceWasmKernel(kernelName, (args, original) => {
    const x = args.inputs.x;
    const a = args.attrs as { axis: number | number[]; keepDims: boolean };
    if (!(x instanceof tf.Tensor) || x.dtype !== "float32" || x.size < POOLED_REDUCTION_MIN_SIZE) {
      return original(args);
    }
    const leading = leadingAxes(a.axis, x.rank);
    if (leading === 0 || leading === x.rank) return original(args);
    return tf.tidy(() => {
      const kept = x.shape.slice(leading);
      const outer = x.shape.slice(0, leading - 1).reduce((p: number, q: number) => p * q, 1);
      const inner = x.shape[leading - 1];
      const view = tf.reshape(x as tf.Tensor, [1, outer, inner, x.size / (outer * inner)]) as tf.Tensor4D;
      const means = tf.avgPool(view, [outer, inner], 1, "valid");
      const result = isMean ? means : tf.mul(means, outer * inner);
      return tf.reshape(result, a.keepDims ? [...new Array(leading).fill(1), ...kept] : kept);
    });
  });
}

/** k when `axis` is exactly the first k axes (in any order, negatives allowed), else 0. */
function leadingAxes(axis: number | number[], rank: number): number {
  const axes = (Array.isArray(axis) ? axis : [axis]).map((v) => (v < 0 ? v + rank : v));
  const unique = new Set(axes);
  for (let i = 0; i < unique.size; i++) if (!unique.has(i)) return 0;
  return unique.size === axes.length ? unique.size : 0;
}

/**
 * wasm's `Identity` (tf.clone, and tfjs-layers' copy of every layer output that equals its input) copies
 * the buffer; tfjs buffers are immutable, so share it and count a reference, as the cpu backend does
 * (100+ copies per training batch of the batch-norm CNN).
 */
export function replaceIdentityKernel(): void {
  replaceWasmKernel("Identity", (args, original) => {
    const x = args.inputs.x;
    if (x === undefined || x.dtype === "string") return original(args);
    (args.backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  });
}

type KernelFunc = NonNullable<ReturnType<typeof tf.getKernel>>["kernelFunc"];

/** Re-register wasm's kernel `kernelName` as `wrap`, which gets the original to delegate to. Idempotent. */
function replaceWasmKernel(
  kernelName: string,
  wrap: (args: Parameters<KernelFunc>[0], original: KernelFunc) => ReturnType<KernelFunc>,
): void {
  const original = tf.getKernel(kernelName, "wasm");
  if (original === undefined || KERNEL_MARK in original.kernelFunc) return;
  const kernelFunc: KernelFunc = (args) => wrap(args, original.kernelFunc);
  Object.defineProperty(kernelFunc, KERNEL_MARK, { value: true });
  tf.unregisterKernel(kernelName, "wasm");
  tf.registerKernel({ ...original, kernelFunc });
}
