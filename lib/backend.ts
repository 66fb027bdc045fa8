/**
 * Backend selection for the Fashion-MNIST notebooks, plus fast CNN gradients
 * for the tfjs wasm backend.
 *
 * Order of preference: `tensorflow` (tfjs-node, native), then `wasm` (XNNPACK,
 * one thread per core through lib/wasm_threads.ts, `FMNIST_WASM_THREADS`)
 * with the gradient overrides below, then the pure-JS `cpu` backend.
 *
 * Why the overrides: as shipped, the wasm backend has no `Conv2DBackpropFilter`
 * kernel (so a CNN cannot train at all) and its `Conv2DBackpropInput` and
 * `MaxPoolGrad` kernels are slow scalar loops. The replacements below express
 * the same gradients with ops that wasm runs fast: slices, concat, pad,
 * transpose, a non-transposed matMul and a forward conv2d (XNNPACK).
 * (On wasm, only `matMul(a, b)` without transposes uses XNNPACK; the
 * transposed variants are about 13x slower, so the im2col matrix is built
 * already transposed.)
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { MAX_WASM_THREADS, startSingleThreadedWasm, startThreadedWasm } from "./wasm_threads.ts";
import { UserError } from "./errors.ts";

/** Names of the tfjs backends this project can run on, fastest first. */
export type BackendName = "tensorflow" | "wasm" | "cpu";

/** What {@link initBackend} selected, and why faster backends were skipped. */
export interface BackendInfo {
  /** `tf.getBackend()` after selection. */
  name: BackendName;
  /** One human sentence, e.g. "wasm (XNNPACK, SIMD, 1 thread) with fast CNN gradients". */
  description: string;
  /** Why each faster backend was not used, e.g. "tensorflow: native binding not installed (...)". */
  skipped: string[];
}

const BACKEND_ORDER: readonly BackendName[] = ["tensorflow", "wasm", "cpu"];
const ENV_VAR = "FMNIST_BACKEND";
const THREADS_VAR = "FMNIST_WASM_THREADS";
const INSTALL_HINT = "run `deno install --allow-scripts=npm:@tensorflow/tfjs-node`";

// ---------------------------------------------------------------------------
// Backend selection
// ---------------------------------------------------------------------------

const selections = new Map<string, Promise<BackendInfo>>();

/**
 * Select the fastest working backend: tfjs-node, else wasm with gradient
 * overrides (see {@link installWasmGradients}), else cpu.
 *
 * The env var `FMNIST_BACKEND` (tensorflow|wasm|cpu) or `options.prefer`
 * (which wins) forces one; if the forced one cannot load, this throws an
 * error that names the problem and the fix. Idempotent: calling again with
 * the same choice returns the same info object without re-initialising
 * (it only re-activates that backend if something else switched away).
 */
export async function initBackend(
  options?: { prefer?: BackendName },
): Promise<BackendInfo> {
  const source = options?.prefer !== undefined ? "options.prefer" : `env var ${ENV_VAR}`;
  const forced = options?.prefer ?? readForcedFromEnv();
  if (forced !== undefined) assertBackendName(forced, source);
  const key = forced ?? "auto";
  let pending = selections.get(key);
  if (pending === undefined) {
    pending = forced === undefined ? selectFastest() : selectForced(forced, source);
    selections.set(key, pending);
    pending.catch(() => selections.delete(key));
  }
  const info = await pending;
  if (tf.getBackend() !== info.name) await tf.setBackend(info.name);
  return info;
}

function readForcedFromEnv(): BackendName | undefined {
  let value: string | undefined;
  try {
    value = Deno.env.get(ENV_VAR);
  } catch {
    return undefined; // no --allow-env: behave as if unset
  }
  if (value === undefined || value.trim() === "") return undefined;
  const name = value.trim().toLowerCase();
  assertBackendName(name, `env var ${ENV_VAR}`);
  return name;
}

function assertBackendName(
  name: string,
  source: string,
): asserts name is BackendName {
  if (!(BACKEND_ORDER as readonly string[]).includes(name)) {
    throw new UserError(
      `Unknown backend "${name}" from ${source}: use one of ${
        BACKEND_ORDER.join(", ")
      } (or leave it unset to pick the fastest automatically).`,
    );
  }
}

/** Result of trying one backend: either it is active now, or why not. */
type Attempt = { ok: true } | { ok: false; reason: string };

async function selectFastest(): Promise<BackendInfo> {
  const skipped: string[] = [];
  for (const name of BACKEND_ORDER) {
    const attempt = await tryBackend(name);
    if (attempt.ok) return await describe(name, withThreadNote(name, skipped));
    skipped.push(`${name}: ${attempt.reason}`);
  }
  throw new Error(
    `No tfjs backend could be initialised (${skipped.join("; ")}). ` +
      "Check that the npm packages in deno.json are installed (`deno install`).",
  );
}

async function selectForced(
  name: BackendName,
  source: string,
): Promise<BackendInfo> {
  const attempt = await tryBackend(name);
  if (!attempt.ok) {
    throw new UserError(
      `Backend "${name}" was forced by ${source} but cannot be used: ` +
        `${attempt.reason}. Fix that, or drop ${source} to fall back to ` +
        "the fastest backend that works.",
    );
  }
  const faster = BACKEND_ORDER.slice(0, BACKEND_ORDER.indexOf(name));
  const skipped = faster.map((other) => `${other}: not tried, "${name}" was forced by ${source}`);
  return await describe(name, withThreadNote(name, skipped));
}

function tryBackend(name: BackendName): Promise<Attempt> {
  switch (name) {
    case "tensorflow":
      return tryTensorflow();
    case "wasm":
      return tryWasm();
    case "cpu":
      return tryCpu();
  }
}

async function tryTensorflow(): Promise<Attempt> {
  try {
    await import("@tensorflow/tfjs-node");
  } catch (error) {
    return { ok: false, reason: explainTfjsNodeFailure(error) };
  }
  if (tf.findBackend("tensorflow") === null) {
    return {
      ok: false,
      reason: "@tensorflow/tfjs-node loaded but registered its backend with a " +
        "different copy of @tensorflow/tfjs-core; pin both packages to the " +
        "same version in deno.json",
    };
  }
  return await activate("tensorflow");
}

function explainTfjsNodeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/tfjs_binding\.node|native addon/i.test(message)) {
    return `native binding not installed (${INSTALL_HINT})`;
  }
  const firstLine = message.split("\n")[0].trim();
  return `@tensorflow/tfjs-node failed to load: ${firstLine}`;
}

/** Why the threaded wasm build was not used, when it was tried and failed (reported in `skipped`). */
let threadedWasmFailure: string | null = null;
/** Threads of the wasm backend this module started (1 when something else initialised it). */
let wasmThreadCount = 1;

async function tryWasm(): Promise<Attempt> {
  installWasmGradients();
  if (tf.findBackend("wasm") !== null) return await activate("wasm"); // initialised before: keep it
  const threads = wasmThreads();
  if (threads > 1) {
    const start = await startThreadedWasm(threads);
    if (start.ok) {
      wasmThreadCount = start.threads;
      return await activate("wasm");
    }
    threadedWasmFailure = `wasm with ${threads} threads: ${start.reason}`;
  }
  try {
    if (!(await startSingleThreadedWasm())) {
      return { ok: false, reason: "initialisation failed (see the tfjs warning above)" };
    }
  } catch (error) {
    return { ok: false, reason: `initialisation failed: ${error instanceof Error ? error.message : error}` };
  }
  return await activate("wasm");
}

/**
 * Threads for the wasm backend: env var `FMNIST_WASM_THREADS` (1 to 8), else one per core (at most 8).
 * Sweeps give each worker process its share of the cores.
 */
export function wasmThreads(): number {
  let value: string | undefined;
  try {
    value = Deno.env.get(THREADS_VAR);
  } catch {
    value = undefined; // no --allow-env: the default
  }
  if (value === undefined || value.trim() === "") {
    return Math.max(1, Math.min(navigator.hardwareConcurrency || 1, MAX_WASM_THREADS));
  }
  const threads = Number(value);
  if (!(Number.isInteger(threads) && threads >= 1 && threads <= MAX_WASM_THREADS)) {
    throw new UserError(
      `${THREADS_VAR}="${value}" is not a thread count: use a whole number from 1 to ${MAX_WASM_THREADS} ` +
        "(or leave it unset for one thread per core).",
    );
  }
  return threads;
}

async function tryCpu(): Promise<Attempt> {
  const attempt = await activate("cpu");
  if (attempt.ok) silenceCpuNodeBanner();
  return attempt;
}

async function activate(name: BackendName): Promise<Attempt> {
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: `initialisation failed: ${message}` };
  }
  if (!ok) {
    return {
      ok: false,
      reason: "initialisation failed (see the tfjs warning above)",
    };
  }
  await tf.ready();
  return { ok: true };
}

/**
 * The cpu backend prints a "install tfjs-node to speed things up" banner on
 * first use. The selection already reports that in `skipped`, so turn off
 * just that banner (a flag on the cpu backend instance).
 */
function silenceCpuNodeBanner(): void {
  const backend = tf.findBackend("cpu") as unknown as
    | { firstUse?: boolean }
    | null;
  if (backend !== null && typeof backend.firstUse === "boolean") {
    backend.firstUse = false;
  }
}

function withThreadNote(name: BackendName, skipped: string[]): string[] {
  return name === "wasm" && threadedWasmFailure !== null ? [...skipped, threadedWasmFailure] : skipped;
}

async function describe(
  name: BackendName,
  skipped: string[],
): Promise<BackendInfo> {
  switch (name) {
    case "tensorflow":
      return {
        name,
        description: "tensorflow (tfjs-node, native TensorFlow C library)",
        skipped,
      };
    case "wasm": {
      const simd = await readFlag("WASM_HAS_SIMD_SUPPORT");
      const detail = [
        "XNNPACK",
        simd ? "SIMD" : "no SIMD",
        wasmThreadCount > 1 ? `${wasmThreadCount} threads` : "1 thread",
      ].join(", ");
      return {
        name,
        description: `wasm (${detail}) with fast CNN gradients`,
        skipped,
      };
    }
    case "cpu":
      return {
        name,
        description: "cpu (pure JavaScript, slowest; last resort)",
        skipped,
      };
  }
}

async function readFlag(flag: string): Promise<boolean> {
  try {
    return Boolean(await tf.env().getAsync(flag));
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------
// Gradient overrides
// ---------------------------------------------------------------------------

type GradConfig = NonNullable<ReturnType<typeof tf.getGradient>>;
type GradFunc = GradConfig["gradFunc"];
type GradMap = ReturnType<GradFunc>;
type Attrs = Parameters<GradFunc>[2];
/** A fast gradient, or null when this case is not handled (use the original). */
type FastGrad = (dy: tf.Tensor, saved: tf.Tensor[], attrs: Attrs) =>
  | GradMap
  | null;
type Pad = "valid" | "same" | number | number[][];
type Pair = [number, number];

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
  overrideGradient("Conv2D", fastConv2DGrad);
  overrideGradient("MaxPool", fastMaxPoolGrad);
  overrideGradient("BatchMatMul", fastBatchMatMulGrad);
  overrideGradient("FusedBatchNorm", fastBatchNormGrad);
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
        "import @tensorflow/tfjs (not just tfjs-core) before lib/backend.ts.",
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
function replaceReductionKernel(kernelName: "Sum" | "Mean", isMean: boolean): void {
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
function replaceIdentityKernel(): void {
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

// ---------------------------------------------------------------------------
// FusedBatchNorm
// ---------------------------------------------------------------------------

/**
 * The batch-norm gradient of tfjs-core, but with the per-channel factors broadcast by the multiply itself:
 * tfjs-core tiles `1/sqrt(variance + eps)` to the full activation shape first, and wasm's Tile is a
 * per-element loop (a third of a 001-enhanced training step). The sums over batch and space become the
 * pooled reductions above. Handles the layers' case: NHWC (or [N, C]) with per-channel mean and variance.
 */
function fastBatchNormGrad(dy: tf.Tensor, saved: tf.Tensor[], attrs: Attrs): GradMap | null {
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

function fastConv2DGrad(
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

function convGeometry(
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
function conv2dFilterGrad(
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

// ---------------------------------------------------------------------------
// MaxPool
// ---------------------------------------------------------------------------

function fastMaxPoolGrad(
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
function fastBatchMatMulGrad(
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

// ---------------------------------------------------------------------------
// Shape helpers (NHWC; only ops that are fast on wasm: reshape, rank<=4
// transpose, pad, stack/concat, slices with long contiguous rows)
// ---------------------------------------------------------------------------

/**
 * Stride phases of x [N, H, W, C] (H, W multiples of sh, sw), stacked:
 * result[a*sw + b] = x[:, a::sh, b::sw, :], shape [sh*sw, N, H/sh, W/sw, C].
 * Two rank-4 transposes (rank-5+ transposes are slow on wasm).
 */
function splitPhases(x: tf.Tensor4D, sh: number, sw: number): tf.Tensor {
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
function mergePhases(phases: tf.Tensor, sh: number, sw: number): tf.Tensor4D {
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
function padOrCrop(
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

function toPair(value: number | number[] | undefined): Pair {
  if (value === undefined) return [1, 1];
  if (typeof value === "number") return [value, value];
  return [value[0], value.length > 1 ? value[1] : value[0]];
}

function isAllOnes(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === "number") return value === 1;
  return Array.isArray(value) && value.every((v) => v === 1);
}
