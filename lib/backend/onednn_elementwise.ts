/**
 * oneDNN's elementwise kernels under the wasm backend (wasm's own run on one thread, without SIMD):
 * ReLU and its gradient, binary operations with broadcasting (`Add`, `Sub`, `Multiply`, `RealDiv`,
 * `Maximum`, `Minimum`: the bias addition of every unfused layer while training, batch-norm arithmetic,
 * the optimizer's updates) and unary ones (`Sqrt`, `Square`, `Exp`, `Log`, `Neg`). Small tensors stay on
 * wasm, whose call costs less.
 *
 * @module
 */
import type { BinaryOp, OneDnn, UnaryOp } from "./onednn.ts";
import {
  allFloat,
  type Fast,
  heapPointer,
  type Info,
  type KernelArgs,
  sizeOf,
  wasmOf,
} from "./onednn_heap.ts";

/** The kernel the ReLU gradient calls while oneDNN is active (see `gradients.ts`): inputs `dy`, `x`. */
export const RELU_GRAD_KERNEL = "FmnistOneDnnReluGrad";

/** Below this many elements wasm's own elementwise kernels are as fast (oneDNN's call costs more). */
const ELEMENTWISE_MIN_SIZE = 16384;

/** dx = dy where x > 0, else 0 (any size: it replaces three wasm kernels). */
export function reluGrad({ inputs, backend }: KernelArgs, lib: OneDnn): Info {
  const { dy, x } = inputs as { dy: Info; x: Info };
  const b = wasmOf(backend);
  const out = b.makeOutput(x.shape, "float32");
  const size = sizeOf(x.shape);
  lib.useThreadsFor(size, "elements");
  if (size > 0) lib.relu(size).backward(heapPointer(b, x), heapPointer(b, dy), heapPointer(b, out));
  return out;
}

/** Whether `small` broadcasts into `big` (right-aligned, each axis equal or 1). */
function broadcastsInto(small: number[], big: number[]): boolean {
  if (small.length > big.length) return false;
  const offset = big.length - small.length;
  return small.every((d, i) => d === big[offset + i] || d === 1);
}

/** A binary kernel: oneDNN when one operand is the output's full shape (either one, if `op` commutes). */
function binary(op: BinaryOp, commutes: boolean): Fast {
  return ({ inputs, backend }, lib) => {
    const { a, b } = inputs as { a: Info; b: Info };
    if (!allFloat(a, b) || a.shape.length > 6 || b.shape.length > 6) return null;
    let [full, other] = [a, b];
    if (!broadcastsInto(b.shape, a.shape)) {
      if (!commutes || !broadcastsInto(a.shape, b.shape)) return null;
      [full, other] = [b, a];
    }
    const size = sizeOf(full.shape);
    if (size < ELEMENTWISE_MIN_SIZE) return null;
    const wb = wasmOf(backend);
    const out = wb.makeOutput(full.shape, "float32");
    lib.useThreadsFor(size, "elements");
    lib.binary(op, full.shape, other.shape)(
      heapPointer(wb, full),
      heapPointer(wb, other),
      heapPointer(wb, out),
    );
    return out;
  };
}

/** Batch normalisation with given statistics (tfjs's `FusedBatchNorm` kernel), NHWC, per-channel statistics. */
function batchNorm({ inputs, attrs, backend }: KernelArgs, lib: OneDnn): Info | null {
  const { x, mean, variance, offset, scale } = inputs as Record<string, Info | undefined>;
  if (x === undefined || mean === undefined || variance === undefined || x.shape.length !== 4) return null;
  const channels = x.shape[3];
  const perChannel = (t: Info | undefined) =>
    t === undefined || (t.dtype === "float32" && sizeOf(t.shape) === channels && t.shape.at(-1) === channels);
  if (x.dtype !== "float32" || ![mean, variance, offset, scale].every(perChannel)) return null;
  const size = sizeOf(x.shape);
  if (size < ELEMENTWISE_MIN_SIZE) return null;
  const b = wasmOf(backend);
  const out = b.makeOutput(x.shape, "float32");
  const epsilon = (attrs as { varianceEpsilon?: number }).varianceEpsilon ?? 0.001;
  const pointer = (t: Info | undefined) => (t === undefined ? null : heapPointer(b, t));
  lib.useThreadsFor(size, "elements");
  lib.batchNorm(
    x.shape as [number, number, number, number],
    epsilon,
    scale !== undefined,
    offset !== undefined,
  )(
    heapPointer(b, x),
    { mean: pointer(mean), variance: pointer(variance), scale: pointer(scale), shift: pointer(offset) },
    heapPointer(b, out),
  );
  return out;
}

/** A one-input elementwise kernel: oneDNN's `run(lib, size)` on float32 tensors of at least the minimum size. */
function elementwise(
  run: (lib: OneDnn, size: number) => (x: Deno.PointerValue, y: Deno.PointerValue) => void,
): Fast {
  return ({ inputs, backend }, lib) => {
    const { x } = inputs as { x: Info };
    const size = sizeOf(x.shape);
    if (x.dtype !== "float32" || size < ELEMENTWISE_MIN_SIZE) return null;
    const b = wasmOf(backend);
    const out = b.makeOutput(x.shape, "float32");
    lib.useThreadsFor(size, "elements");
    run(lib, size)(heapPointer(b, x), heapPointer(b, out));
    return out;
  };
}

const unary = (op: UnaryOp): Fast => elementwise((lib, size) => lib.unary(op, size));

/** The elementwise kernels oneDNN serves, by tfjs kernel name. */
export const ELEMENTWISE: Record<string, Fast> = {
  Relu: elementwise((lib, size) => lib.relu(size).forward),
  Add: binary("add", true),
  Sub: binary("sub", false),
  Multiply: binary("mul", true),
  RealDiv: binary("div", false),
  Maximum: binary("max", true),
  Minimum: binary("min", true),
  Sqrt: unary("sqrt"),
  Square: unary("square"),
  Exp: unary("exp"),
  Log: unary("log"),
  Neg: unary("neg"),
  FusedBatchNorm: batchNorm,
};
