/**
 * oneDNN kernels under the wasm backend: `Conv2D`, `FusedConv2D` (bias, ReLU), both convolution
 * gradients, `BatchMatMul` and `_FusedMatMul` read and write the wasm heap in place through FFI
 * pointers (no copies), so every other op stays on wasm. Cases they do not handle (dilations, NCHW,
 * activations other than ReLU, broadcast batches) go to wasm's own kernels.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { type ConvShape, loadOneDnn, type OneDnn, type PoolShape, type WindowShape } from "./onednn.ts";
import {
  allFloat,
  type Fast,
  heapFloats,
  heapPointer,
  type Info,
  type KernelArgs,
  type KernelFunc,
  sizeOf,
  type WasmBackend,
} from "./onednn_heap.ts";
import { ELEMENTWISE, RELU_GRAD_KERNEL, reluGrad } from "./onednn_elementwise.ts";

const KERNEL_MARK = Symbol.for("fmnist.oneDnnKernel");
let dnnl: OneDnn | null = null;
let active = false;
const served = new Map<string, number>();

/** How many calls of each kernel oneDNN has served in this process (the rest went to wasm). */
export function oneDnnCallCounts(): ReadonlyMap<string, number> {
  return served;
}

export { RELU_GRAD_KERNEL };

/** Whether the oneDNN kernels are serving the wasm backend now. */
export function oneDnnActive(): boolean {
  return active && dnnl !== null;
}

/** The loaded library, once {@link installOneDnnKernels} succeeded. */
export function oneDnnLibrary(): OneDnn | null {
  return dnnl;
}

/**
 * Load oneDNN on `threads` threads and register its kernels for the wasm backend (the originals stay
 * behind them). Throws `OneDnnUnavailable` when the library cannot be loaded. Idempotent.
 */
export function installOneDnnKernels(threads: number): OneDnn {
  dnnl ??= loadOneDnn(threads);
  for (const name of Object.keys(FAST)) wrapKernel(name);
  if (tf.getKernel(RELU_GRAD_KERNEL, "wasm") === undefined) {
    tf.registerKernel({
      kernelName: RELU_GRAD_KERNEL,
      backendName: "wasm",
      kernelFunc: (args) => {
        served.set(RELU_GRAD_KERNEL, (served.get(RELU_GRAD_KERNEL) ?? 0) + 1);
        return reluGrad(args, dnnl!);
      },
    });
  }
  active = true;
  return dnnl;
}

/** Route the wasm backend's kernels back to (true) or away from (false) oneDNN. */
export function setOneDnnActive(on: boolean): void {
  active = on && dnnl !== null;
}

function wrapKernel(kernelName: string): void {
  const original = tf.getKernel(kernelName, "wasm");
  if (original === undefined) {
    // Conv2DBackpropFilter is missing from tfjs-backend-wasm; gradients.ts registers a composite one first.
    throw new Error(`the wasm backend has no "${kernelName}" kernel to stand behind oneDNN's`);
  }
  if (KERNEL_MARK in original.kernelFunc) return;
  const fast = FAST[kernelName];
  const kernelFunc: KernelFunc = (args) => {
    if (active && dnnl !== null) {
      const out = fast(args, dnnl);
      if (out !== null) {
        served.set(kernelName, (served.get(kernelName) ?? 0) + 1);
        return out;
      }
    }
    return original.kernelFunc(args);
  };
  Object.defineProperty(kernelFunc, KERNEL_MARK, { value: true });
  tf.unregisterKernel(kernelName, "wasm");
  tf.registerKernel({ ...original, kernelFunc });
}

// ---------------------------------------------------------------------------------------------
// Convolutions

/** The geometry of a tfjs conv2d (NHWC, no dilation), or null when oneDNN's kernels here do not apply. */
function convShape(
  xShape: number[],
  filterShape: number[],
  attrs: Record<string, unknown>,
  extra: { bias: boolean; relu: boolean },
): ConvShape | null {
  const dilations = attrs.dilations ?? 1;
  const undilated = Array.isArray(dilations) ? dilations.every((d) => d === 1) : dilations === 1;
  if (attrs.dataFormat === "NCHW" || !undilated || xShape.length !== 4 || filterShape.length !== 4) {
    return null;
  }
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as number | [number, number],
    1,
    attrs.pad as "same" | "valid" | number,
    attrs.dimRoundingMode as "floor" | "round" | "ceil" | undefined,
    false,
    "channelsLast",
  );
  if (info.outHeight <= 0 || info.outWidth <= 0 || info.batchSize === 0) return null;
  const shape: ConvShape = {
    batch: info.batchSize,
    inC: info.inChannels,
    outC: info.outChannels,
    ...windowOf(info),
    ...extra,
  };
  return consistent(shape) ? shape : null;
}

/** The sliding-window geometry tfjs computed for a convolution or a pooling, in oneDNN's terms. */
function windowOf(info: tf.backend_util.Conv2DInfo): WindowShape {
  return {
    inH: info.inHeight,
    inW: info.inWidth,
    outH: info.outHeight,
    outW: info.outWidth,
    kh: info.filterHeight,
    kw: info.filterWidth,
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
    padBottom: info.padInfo.bottom,
    padRight: info.padInfo.right,
  };
}

/** oneDNN's rule: out = floor((in + pads - k) / stride) + 1 on both axes (tfjs's 'ceil' rounding breaks it). */
function consistent(g: WindowShape): boolean {
  const fits = (inSize: number, pads: number, k: number, stride: number, out: number) =>
    Math.floor((inSize + pads - k) / stride) + 1 === out;
  return fits(g.inH, g.padTop + g.padBottom, g.kh, g.strideH, g.outH) &&
    fits(g.inW, g.padLeft + g.padRight, g.kw, g.strideW, g.outW);
}

/** Multiply-adds of one pass of a convolution. */
function macs(g: ConvShape): number {
  return g.batch * g.outH * g.outW * g.outC * g.kh * g.kw * g.inC;
}

function conv2d({ inputs, attrs, backend }: KernelArgs, lib: OneDnn): Info | null {
  const { x, filter } = inputs as { x: Info; filter: Info };
  if (!allFloat(x, filter)) return null;
  const g = convShape(x.shape, filter.shape, attrs as Record<string, unknown>, { bias: false, relu: false });
  if (g === null) return null;
  const b = backend as unknown as WasmBackend;
  const out = b.makeOutput([g.batch, g.outH, g.outW, g.outC], "float32");
  lib.useThreadsFor(macs(g), "macs");
  lib.conv(g).forward(heapPointer(b, x), heapPointer(b, filter), null, heapPointer(b, out));
  return out;
}

function fusedConv2d({ inputs, attrs, backend }: KernelArgs, lib: OneDnn): Info | null {
  const { x, filter, bias, preluActivationWeights } = inputs as Record<string, Info | undefined>;
  const a = attrs as Record<string, unknown>;
  const activation = a.activation ?? "linear";
  if (x === undefined || filter === undefined || preluActivationWeights !== undefined) return null;
  if (activation !== "linear" && activation !== "relu") return null;
  if (!allFloat(x, filter, bias) || (bias !== undefined && bias.shape.length !== 1)) return null;
  const g = convShape(x.shape, filter.shape, a, { bias: bias !== undefined, relu: activation === "relu" });
  if (g === null || (bias !== undefined && bias.shape[0] !== g.outC)) return null;
  const b = backend as unknown as WasmBackend;
  const out = b.makeOutput([g.batch, g.outH, g.outW, g.outC], "float32");
  lib.useThreadsFor(macs(g), "macs");
  lib.conv(g).forward(
    heapPointer(b, x),
    heapPointer(b, filter),
    bias === undefined ? null : heapPointer(b, bias),
    heapPointer(b, out),
  );
  return out;
}

function conv2dBackpropInput({ inputs, attrs, backend }: KernelArgs, lib: OneDnn): Info | null {
  const { dy, filter } = inputs as { dy: Info; filter: Info };
  const a = attrs as Record<string, unknown>;
  if (!allFloat(dy, filter)) return null;
  const g = convShape(a.inputShape as number[], filter.shape, a, { bias: false, relu: false });
  if (g === null || g.outH !== dy.shape[1] || g.outW !== dy.shape[2]) return null;
  const b = backend as unknown as WasmBackend;
  const out = b.makeOutput([g.batch, g.inH, g.inW, g.inC], "float32");
  lib.useThreadsFor(macs(g), "macs");
  lib.conv(g).backwardData(heapPointer(b, dy), heapPointer(b, filter), heapPointer(b, out));
  return out;
}

function conv2dBackpropFilter({ inputs, attrs, backend }: KernelArgs, lib: OneDnn): Info | null {
  const { x, dy } = inputs as { x: Info; dy: Info };
  const a = attrs as Record<string, unknown>;
  if (!allFloat(x, dy)) return null;
  const filterShape = a.filterShape as number[];
  const g = convShape(x.shape, filterShape, a, { bias: false, relu: false });
  if (g === null || g.outH !== dy.shape[1] || g.outW !== dy.shape[2]) return null;
  const b = backend as unknown as WasmBackend;
  const out = b.makeOutput(filterShape, "float32");
  lib.useThreadsFor(macs(g), "macs");
  lib.conv(g).backwardWeights(heapPointer(b, x), heapPointer(b, dy), heapPointer(b, out));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Pooling

/** `MaxPoolGrad` or `AvgPoolGrad` (both get dy and the pooling's input). */
const poolGrad = (kind: "max" | "avg"): Fast => ({ inputs, attrs, backend }, lib) => {
  const { dy, input } = inputs as { dy: Info; input: Info };
  const a = attrs as Record<string, unknown>;
  if (!allFloat(dy, input) || input.shape.length !== 4) return null;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    a.filterSize as number | [number, number],
    a.strides as number | [number, number],
    1,
    a.pad as "same" | "valid" | number,
    a.dimRoundingMode as "floor" | "round" | "ceil" | undefined,
  );
  if (info.outHeight !== dy.shape[1] || info.outWidth !== dy.shape[2]) return null;
  const shape: PoolShape = { batch: info.batchSize, channels: info.inChannels, ...windowOf(info) };

  if (!consistent(shape)) return null;
  const b = backend as unknown as WasmBackend;
  const out = b.makeOutput(input.shape, "float32");
  // Rows and columns no window covers (odd sizes, 'valid') get no gradient, and oneDNN leaves them as
  // they were: the heap's old contents.
  if (
    shape.inH > (shape.outH - 1) * shape.strideH + shape.kh - shape.padTop ||
    shape.inW > (shape.outW - 1) * shape.strideW + shape.kw - shape.padLeft
  ) {
    heapFloats(b, out, input.shape.reduce((p, q) => p * q, 1)).fill(0);
  }
  lib.useThreadsFor(sizeOf(input.shape), "elements");
  lib.pool(shape, kind).backward(heapPointer(b, input), heapPointer(b, dy), heapPointer(b, out));
  return out;
};

// ---------------------------------------------------------------------------------------------
// Matrix products

/**
 * a x b over the last two axes, for operands of rank 2 or more whose leading (batch) axes are equal or
 * absent on one side (tfjs hands the kernel rank-2 operands as they are).
 */
function matMulInto(
  b: WasmBackend,
  lib: OneDnn,
  a: Info,
  bInfo: Info,
  transposeA: boolean,
  transposeB: boolean,
): Info | null {
  if (a.shape.length < 2 || bInfo.shape.length < 2 || !allFloat(a, bInfo)) return null;
  const [aRows, aCols] = a.shape.slice(-2);
  const [bRows, bCols] = bInfo.shape.slice(-2);
  const leadA = a.shape.slice(0, -2);
  const leadB = bInfo.shape.slice(0, -2);
  const batchA = leadA.reduce((p, q) => p * q, 1);
  const batchB = leadB.reduce((p, q) => p * q, 1);
  const m = transposeA ? aCols : aRows;
  const k = transposeA ? aRows : aCols;
  const n = transposeB ? bRows : bCols;
  if ((transposeB ? bCols : bRows) !== k) return null;
  const sameLead = leadA.length === leadB.length && leadA.every((d, i) => d === leadB[i]);
  if (!sameLead && batchA !== 1 && batchB !== 1) return null;
  const lead = leadA.length >= leadB.length ? leadA : leadB;
  const batch = Math.max(batchA, batchB);
  const out = b.makeOutput([...lead, m, n], "float32");
  if (m * n === 0) return out;
  lib.useThreadsFor(batch * m * n * k, "macs");
  const pa = heapPointer(b, a);
  const pb = heapPointer(b, bInfo);
  const pc = heapPointer(b, out);
  for (let i = 0; i < batch; i++) {
    lib.sgemm(
      transposeA,
      transposeB,
      m,
      n,
      k,
      Deno.UnsafePointer.offset(pa!, batchA === 1 ? 0 : i * aRows * aCols * 4),
      aCols,
      Deno.UnsafePointer.offset(pb!, batchB === 1 ? 0 : i * bRows * bCols * 4),
      bCols,
      Deno.UnsafePointer.offset(pc!, i * m * n * 4),
      n,
    );
  }
  return out;
}

function batchMatMul({ inputs, attrs, backend }: KernelArgs, lib: OneDnn): Info | null {
  const { a, b } = inputs as { a: Info; b: Info };
  const t = attrs as { transposeA?: boolean; transposeB?: boolean };
  return matMulInto(backend as unknown as WasmBackend, lib, a, b, !!t.transposeA, !!t.transposeB);
}

function fusedMatMul({ inputs, attrs, backend }: KernelArgs, lib: OneDnn): Info | null {
  const { a, b, bias, preluActivationWeights } = inputs as Record<string, Info | undefined>;
  const t = attrs as { transposeA?: boolean; transposeB?: boolean; activation?: string };
  const activation = t.activation ?? "linear";
  if (a === undefined || b === undefined || preluActivationWeights !== undefined) return null;
  if (activation !== "linear" && activation !== "relu") return null;
  if (bias !== undefined && (bias.shape.length !== 1 || bias.dtype !== "float32")) return null;
  const n = t.transposeB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
  if (bias !== undefined && bias.shape[0] !== n && bias.shape[0] !== 1) return null;
  const wb = backend as unknown as WasmBackend;
  const out = matMulInto(wb, lib, a, b, !!t.transposeA, !!t.transposeB);
  if (out === null) return null;
  const size = out.shape.reduce((p, q) => p * q, 1);
  const values = heapFloats(wb, out, size);
  if (bias !== undefined) {
    const biasValues = heapFloats(wb, bias, bias.shape[0]);
    const width = biasValues.length;
    for (let i = 0; i < size; i++) values[i] += biasValues[width === 1 ? 0 : i % width];
  }
  if (activation === "relu") {
    for (let i = 0; i < size; i++) {
      if (!(values[i] > 0)) {
        values[i] = values[i] < 0 ? 0 : values[i];
      }
    }
  }
  return out;
}

const FAST: Record<string, Fast> = {
  Conv2D: conv2d,
  FusedConv2D: fusedConv2d,
  Conv2DBackpropInput: conv2dBackpropInput,
  Conv2DBackpropFilter: conv2dBackpropFilter,
  MaxPoolGrad: poolGrad("max"),
  AvgPoolGrad: poolGrad("avg"),
  BatchMatMul: batchMatMul,
  _FusedMatMul: fusedMatMul,
  ...ELEMENTWISE,
};
