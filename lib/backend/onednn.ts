/**
 * oneDNN (the CPU library PyTorch uses) primitives for training: convolution forward, backward-data and
 * backward-weights, max pooling's gradient, ReLU, bias addition and `sgemm`, each cached per shape and
 * computing in place on raw pointers (here: into the wasm backend's heap, see `onednn_kernels.ts`).
 *
 * @module
 */
import { makeConv } from "./onednn_conv.ts";
import { makePoolBackward } from "./onednn_pool.ts";
import {
  ARG,
  check,
  ELTWISE_RELU,
  FORWARD_INFERENCE,
  FORWARD_TRAINING,
  OP_DESC_BYTES,
  QUERY_DIFF_DST_MD,
  QUERY_DIFF_SRC_MD,
  QUERY_DST_MD,
  QUERY_SRC_MD,
  TAG_A,
  TAG_NHWC,
} from "./onednn_ffi.ts";

import { openOneDnn } from "./onednn_load.ts";

export { libraryCandidates, ONEDNN_INSTALL_HINT, OneDnnUnavailable } from "./onednn_load.ts";

/** A loaded oneDNN: its version, the threads it runs on, and the primitives it serves. */
export interface OneDnn {
  /** e.g. "2.6.3". */
  version: string;
  /** The file it was loaded from (the name given to dlopen). */
  path: string;
  /** Threads its primitives use (OpenMP), or null when its runtime could not be told. */
  threads: number | null;
  /** The instruction set its JIT kernels use, from a forward convolution's implementation name. */
  isa: string;
  /** A convolution (NHWC data, HWIO filter), one call per pass, cached per shape. */
  conv(shape: ConvShape): ConvPrimitives;
  /** A pooling's input gradient (NHWC; max or average), cached per shape. */
  pool(shape: PoolShape, kind: "max" | "avg"): PoolBackward;
  /** ReLU of `size` floats and its gradient (0 where x <= 0), cached per size. */
  relu(size: number): Relu;
  /**
   * y = a (op) b, elementwise, for dense float32 `a` and a `b` that broadcasts into it (same rank after
   * leading 1s, each axis equal or 1), cached per shapes.
   */
  binary(
    op: BinaryOp,
    a: number[],
    b: number[],
  ): (a: Deno.PointerValue, b: Deno.PointerValue, y: Deno.PointerValue) => void;
  /**
   * Batch normalisation with given statistics, NHWC: y = (x - mean) / sqrt(variance + epsilon) * scale +
   * shift (scale and shift optional), cached per shape.
   */
  batchNorm(
    shape: [number, number, number, number],
    epsilon: number,
    withScale: boolean,
    withShift: boolean,
  ): (x: Deno.PointerValue, stats: BatchNormStats, y: Deno.PointerValue) => void;
  /** y = op(x) over `size` floats, cached per size. */
  unary(op: UnaryOp, size: number): (x: Deno.PointerValue, y: Deno.PointerValue) => void;
  /**
   * Set the threads for the next call from its work (multiply-adds, or elements for elementwise ops):
   * one thread below a size where waking a second costs more than it saves, else all of them.
   */
  useThreadsFor(work: number, kind: "macs" | "elements"): void;
  /** C = alpha * op(A) op(B) + beta * C, row-major, on raw pointers. */
  sgemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    a: Deno.PointerValue,
    lda: number,
    b: Deno.PointerValue,
    ldb: number,
    c: Deno.PointerValue,
    ldc: number,
    beta?: number,
  ): void;
}

/** Pointers to the per-channel tensors of a batch normalisation (null: absent). */
export interface BatchNormStats {
  mean: Deno.PointerValue;
  variance: Deno.PointerValue;
  scale: Deno.PointerValue;
  shift: Deno.PointerValue;
}

/** Elementwise binary operations oneDNN runs (tfjs kernels Add, Sub, Multiply, RealDiv, Maximum, Minimum). */
export type BinaryOp = "add" | "sub" | "mul" | "div" | "max" | "min";
const BINARY_ALGORITHMS: Record<BinaryOp, number> = {
  add: 0x1fff0,
  mul: 0x1fff1,
  max: 0x1fff2,
  min: 0x1fff3,
  div: 0x1fff4,
  sub: 0x1fff5,
};

/** Elementwise unary operations oneDNN runs (tfjs kernels Sqrt, Square, Exp, Log, Neg). */
export type UnaryOp = "sqrt" | "square" | "exp" | "log" | "neg";
/** oneDNN eltwise algorithm, alpha, beta (neg is linear: alpha x + beta). */
const UNARY_ALGORITHMS: Record<UnaryOp, [number, number, number]> = {
  square: [0x4f, 0, 0],
  sqrt: [0x6f, 0, 0],
  neg: [0x7f, -1, 0],
  exp: [0xbf, 0, 0],
  log: [0xef, 0, 0],
};

/**
 * Below these, one thread is faster than two (waking OpenMP's second thread costs tens of
 * microseconds); measured with `deno task bench` on TinyVGG, the 002 models and the ANNs.
 */
export const SERIAL_BELOW = { macs: 2 ** 22, elements: 2 ** 16 };

/** A sliding window's geometry (a convolution's or a pooling's), in oneDNN's terms. */
export interface WindowShape {
  inH: number;
  inW: number;
  outH: number;
  outW: number;
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
  padBottom: number;
  padRight: number;
}

/** Geometry of one 2-D convolution, in tfjs's terms (NHWC, filter [kh, kw, in, out]). */
export interface ConvShape extends WindowShape {
  batch: number;
  inC: number;
  outC: number;
  /** Forward pass adds a bias of `outC` values. */
  bias: boolean;
  /** Forward pass applies ReLU. */
  relu: boolean;
}

/** The three passes of one convolution, each on raw pointers to dense float32 data. */
export interface ConvPrimitives {
  forward(
    x: Deno.PointerValue,
    filter: Deno.PointerValue,
    bias: Deno.PointerValue,
    y: Deno.PointerValue,
  ): void;
  backwardData(dy: Deno.PointerValue, filter: Deno.PointerValue, dx: Deno.PointerValue): void;
  backwardWeights(x: Deno.PointerValue, dy: Deno.PointerValue, dFilter: Deno.PointerValue): void;
  /** oneDNN's implementation names, e.g. "brg:avx512_core". */
  implementations: { forward: string; backwardData: string; backwardWeights: string };
}

/** Geometry of one 2-D pooling (NHWC). */
export interface PoolShape extends WindowShape {
  batch: number;
  channels: number;
}

/** A pooling's backward pass: dx from x and dy (max: dy goes to the first maximum of each window). */
export interface PoolBackward {
  backward(x: Deno.PointerValue, dy: Deno.PointerValue, dx: Deno.PointerValue): void;
  implementation: string;
}

/** ReLU on raw pointers: y = max(x, 0), and dx = dy where x > 0, else 0. */
export interface Relu {
  forward(x: Deno.PointerValue, y: Deno.PointerValue): void;
  backward(x: Deno.PointerValue, dy: Deno.PointerValue, dx: Deno.PointerValue): void;
}

/**
 * Load oneDNN on `threads` threads (see `onednn_ffi.ts` for where it is looked for). Throws
 * `OneDnnUnavailable` with the reason when it cannot be loaded.
 */
export function loadOneDnn(threads: number): OneDnn {
  const session = openOneDnn(threads);
  const { dnnl, memoryDesc, build } = session;
  const cached = <T>(cache: Map<string, T>, key: unknown, make: () => T): T => {
    const k = JSON.stringify(key);
    let value = cache.get(k);
    if (value === undefined) {
      value = make();
      cache.set(k, value);
    }
    return value;
  };

  const reluCache = new Map<string, Relu>();
  const makeRelu = (size: number): Relu => {
    const data = memoryDesc([size], TAG_A);
    const fwdDesc = new Uint8Array(OP_DESC_BYTES);
    check(
      dnnl.dnnl_eltwise_forward_desc_init(fwdDesc, FORWARD_TRAINING, ELTWISE_RELU, data, 0, 0),
      "eltwise_forward_desc_init",
    );
    const forward = build(fwdDesc, null, null, [
      { arg: ARG.src, md: data, query: QUERY_SRC_MD },
      { arg: ARG.dst, md: data, query: QUERY_DST_MD },
    ]);
    const bwdDesc = new Uint8Array(OP_DESC_BYTES);
    check(
      dnnl.dnnl_eltwise_backward_desc_init(bwdDesc, ELTWISE_RELU, data, data, 0, 0),
      "eltwise_backward_desc_init",
    );
    const backward = build(bwdDesc, null, forward.pd, [
      { arg: ARG.src, md: data, query: QUERY_SRC_MD },
      { arg: ARG.diffDst, md: data, query: QUERY_DIFF_DST_MD },
      { arg: ARG.diffSrc, md: data, query: QUERY_DIFF_SRC_MD },
    ]);
    return {
      forward: (x, y) => forward.run(x, y),
      backward: (x, dy, dx) => backward.run(x, dy, dx),
    };
  };

  const binaryCache = new Map<
    string,
    (a: Deno.PointerValue, b: Deno.PointerValue, y: Deno.PointerValue) => void
  >();
  const makeBinary = (op: BinaryOp, aShape: number[], bShape: number[]) => {
    const a = session.denseDesc(aShape);
    const b = session.denseDesc([...new Array(aShape.length - bShape.length).fill(1), ...bShape]);
    const desc = new Uint8Array(OP_DESC_BYTES);
    check(dnnl.dnnl_binary_desc_init(desc, BINARY_ALGORITHMS[op], a, b, a), "binary_desc_init");
    const primitive = build(desc, null, null, [
      { arg: ARG.src, md: a },
      { arg: ARG.src1, md: b },
      { arg: ARG.dst, md: a },
    ]);
    return (ap: Deno.PointerValue, bp: Deno.PointerValue, yp: Deno.PointerValue) => primitive.run(ap, bp, yp);
  };

  const batchNormCache = new Map<string, ReturnType<OneDnn["batchNorm"]>>();
  const makeBatchNorm = (
    [n, h, w, c]: [number, number, number, number],
    epsilon: number,
    withScale: boolean,
    withShift: boolean,
  ): ReturnType<OneDnn["batchNorm"]> => {
    const data = memoryDesc([n, c, h, w], TAG_NHWC);
    const channel = memoryDesc([c], TAG_A);
    const flags = 0x1 | (withScale ? 0x8 : 0) | (withShift ? 0x10 : 0); // global stats, scale, shift
    const desc = new Uint8Array(OP_DESC_BYTES);
    check(
      dnnl.dnnl_batch_normalization_forward_desc_init(desc, FORWARD_INFERENCE, data, epsilon, flags),
      "batch_normalization_forward_desc_init",
    );
    const primitive = build(desc, null, null, [
      { arg: ARG.src, md: data, query: QUERY_SRC_MD },
      { arg: ARG.mean, md: channel },
      { arg: ARG.variance, md: channel },
      ...(withScale ? [{ arg: ARG.scale, md: channel }] : []),
      ...(withShift ? [{ arg: ARG.shift, md: channel }] : []),
      { arg: ARG.dst, md: data, query: QUERY_DST_MD },
    ]);
    return (x, stats, y) =>
      primitive.run(
        x,
        stats.mean,
        stats.variance,
        ...(withScale ? [stats.scale] : []),
        ...(withShift ? [stats.shift] : []),
        y,
      );
  };

  const unaryCache = new Map<string, (x: Deno.PointerValue, y: Deno.PointerValue) => void>();
  const makeUnary = (op: UnaryOp, size: number) => {
    const data = memoryDesc([size], TAG_A);
    const [algorithm, alpha, beta] = UNARY_ALGORITHMS[op];
    const desc = new Uint8Array(OP_DESC_BYTES);
    check(
      dnnl.dnnl_eltwise_forward_desc_init(desc, FORWARD_INFERENCE, algorithm, data, alpha, beta),
      "eltwise_forward_desc_init",
    );
    const primitive = build(desc, null, null, [{ arg: ARG.src, md: data }, { arg: ARG.dst, md: data }]);
    return (xp: Deno.PointerValue, yp: Deno.PointerValue) => primitive.run(xp, yp);
  };

  const poolCache = new Map<string, PoolBackward>();

  const convCache = new Map<string, ConvPrimitives>();

  const conv = (shape: ConvShape): ConvPrimitives => {
    const key = JSON.stringify(shape);
    let primitives = convCache.get(key);
    if (primitives === undefined) {
      primitives = makeConv(session, shape);
      convCache.set(key, primitives);
    }
    return primitives;
  };
  const probe = conv({
    batch: 1,
    inH: 8,
    inW: 8,
    inC: 16,
    outH: 8,
    outW: 8,
    outC: 16,
    kh: 3,
    kw: 3,
    strideH: 1,
    strideW: 1,
    padTop: 1,
    padLeft: 1,
    padBottom: 1,
    padRight: 1,
    bias: false,
    relu: false,
  });
  const isa = probe.implementations.forward.split(":").pop() ?? "?";

  return {
    version: session.version,
    path: session.path,
    threads: session.threads.max,
    isa,
    conv,
    relu: (size) => cached(reluCache, size, () => makeRelu(size)),
    binary: (op, a, b) => cached(binaryCache, [op, a, b], () => makeBinary(op, a, b)),
    unary: (op, size) => cached(unaryCache, [op, size], () => makeUnary(op, size)),
    batchNorm: (shape, epsilon, withScale, withShift) =>
      cached(
        batchNormCache,
        [shape, epsilon, withScale, withShift],
        () => makeBatchNorm(shape, epsilon, withScale, withShift),
      ),
    useThreadsFor(work, kind) {
      session.threads.use(work < SERIAL_BELOW[kind] ? 1 : session.threads.max ?? 1);
    },
    pool: (shape, kind) => cached(poolCache, [shape, kind], () => makePoolBackward(session, shape, kind)),
    sgemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, beta = 0) {
      check(
        dnnl.dnnl_sgemm(
          transA ? 84 : 78, // 'T' : 'N'
          transB ? 84 : 78,
          BigInt(m),
          BigInt(n),
          BigInt(k),
          1,
          a,
          BigInt(lda),
          b,
          BigInt(ldb),
          beta,
          c,
          BigInt(ldc),
        ),
        "sgemm",
      );
    },
  };
}
