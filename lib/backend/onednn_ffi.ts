/**
 * oneDNN's C API through Deno FFI: the library found and opened, its constants, and a session (one CPU
 * engine and stream) that builds primitives whose arguments are raw pointers set at each call.
 *
 * Speaks oneDNN's 2.x C API (Debian 12 and Ubuntu's `libdnnl2`); where the library is found and how it is
 * opened is in `onednn_load.ts`, the primitives in `onednn.ts`.
 *
 * @module
 */

// ---------------------------------------------------------------------------------------------
// Constants of oneDNN 2.x's C API (oneapi/dnnl/dnnl_types.h; the ABI is stable within 2.x)

export const F32 = 3;
export const TAG_ANY = 1;
export const TAG_A = 2;
export const TAG_AB = 3;
export const TAG_NHWC = 20;
export const TAG_HWIO = 30;
export const FORWARD_TRAINING = 64;
export const FORWARD_INFERENCE = 96;
export const CONVOLUTION_DIRECT = 1;
export const ELTWISE_RELU = 31;
export const POOLING_MAX = 511;
export const BINARY_ADD = 0x1fff0;
export const ARG = {
  src: 1,
  dst: 17,
  weights: 33,
  bias: 41,
  diffSrc: 129,
  diffDst: 145,
  diffWeights: 161,
  diffBias: 169,
  workspace: 64,
  mean: 49,
  variance: 50,
  scale: 51,
  shift: 52,
  src1: 2,
} as const;
const QUERY_IMPL_INFO_STR = 8;
export const QUERY_SRC_MD = 129;
export const QUERY_WEIGHTS_MD = 131;
export const QUERY_DST_MD = 133;
export const QUERY_DIFF_SRC_MD = 130;
export const QUERY_DIFF_WEIGHTS_MD = 132;
export const QUERY_DIFF_DST_MD = 134;
export const QUERY_WORKSPACE_MD = 135;
/** sizeof(dnnl_memory_desc_t) and sizeof(dnnl_convolution_desc_t) in 2.6, with room to spare. */
export const MEMORY_DESC_BYTES = 1024;
export const OP_DESC_BYTES = 8192;

export const SYMBOLS = {
  dnnl_version: { parameters: [], result: "pointer" },
  dnnl_engine_create: { parameters: ["buffer", "i32", "usize"], result: "i32" },
  dnnl_stream_create: { parameters: ["buffer", "pointer", "u32"], result: "i32" },
  dnnl_stream_wait: { parameters: ["pointer"], result: "i32" },
  dnnl_memory_desc_init_by_tag: { parameters: ["buffer", "i32", "buffer", "i32", "i32"], result: "i32" },
  dnnl_memory_desc_init_by_strides: {
    parameters: ["buffer", "i32", "buffer", "i32", "buffer"],
    result: "i32",
  },
  dnnl_memory_desc_equal: { parameters: ["buffer", "pointer"], result: "i32" },
  dnnl_convolution_forward_desc_init: {
    parameters: [
      "buffer",
      "i32",
      "i32",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
    ],
    result: "i32",
  },
  dnnl_convolution_backward_data_desc_init: {
    parameters: ["buffer", "i32", "buffer", "buffer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  dnnl_convolution_backward_weights_desc_init: {
    parameters: ["buffer", "i32", "buffer", "buffer", "buffer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  dnnl_pooling_v2_forward_desc_init: {
    parameters: [
      "buffer",
      "i32",
      "i32",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
    ],
    result: "i32",
  },
  dnnl_pooling_v2_backward_desc_init: {
    parameters: ["buffer", "i32", "buffer", "buffer", "buffer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  dnnl_eltwise_forward_desc_init: {
    parameters: ["buffer", "i32", "i32", "buffer", "f32", "f32"],
    result: "i32",
  },
  dnnl_eltwise_backward_desc_init: {
    parameters: ["buffer", "i32", "buffer", "buffer", "f32", "f32"],
    result: "i32",
  },
  dnnl_binary_desc_init: { parameters: ["buffer", "i32", "buffer", "buffer", "buffer"], result: "i32" },
  dnnl_batch_normalization_forward_desc_init: {
    parameters: ["buffer", "i32", "buffer", "f32", "u32"],
    result: "i32",
  },
  dnnl_primitive_attr_create: { parameters: ["buffer"], result: "i32" },
  dnnl_primitive_attr_set_post_ops: { parameters: ["pointer", "pointer"], result: "i32" },
  dnnl_post_ops_create: { parameters: ["buffer"], result: "i32" },
  dnnl_post_ops_append_eltwise: { parameters: ["pointer", "f32", "i32", "f32", "f32"], result: "i32" },
  dnnl_primitive_desc_create: {
    parameters: ["buffer", "buffer", "pointer", "pointer", "pointer"],
    result: "i32",
  },
  dnnl_primitive_desc_query: { parameters: ["pointer", "i32", "i32", "buffer"], result: "i32" },
  dnnl_primitive_desc_query_md: { parameters: ["pointer", "i32", "i32"], result: "pointer" },
  dnnl_primitive_create: { parameters: ["buffer", "pointer"], result: "i32" },
  dnnl_memory_create: { parameters: ["buffer", "pointer", "pointer", "pointer"], result: "i32" },
  dnnl_memory_desc_get_size: { parameters: ["pointer"], result: "usize" },
  dnnl_reorder_primitive_desc_create: {
    parameters: ["buffer", "pointer", "pointer", "pointer", "pointer", "pointer"],
    result: "i32",
  },
  dnnl_memory_set_data_handle: { parameters: ["pointer", "pointer"], result: "i32" },
  dnnl_primitive_execute: { parameters: ["pointer", "pointer", "i32", "buffer"], result: "i32" },
  dnnl_sgemm: {
    parameters: [
      "i8",
      "i8",
      "i64",
      "i64",
      "i64",
      "f32",
      "pointer",
      "i64",
      "pointer",
      "i64",
      "f32",
      "pointer",
      "i64",
    ],
    result: "i32",
  },
} as const satisfies Deno.ForeignLibraryInterface;

/** The library's functions, as Deno's FFI binds them. */
export type Dnnl = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/** OpenMP's thread count (oneDNN's runtime): the most it may use, and a setter for each call. */
export interface Threads {
  /** The threads asked for, as OpenMP reports them; null when no OpenMP runtime could be opened. */
  max: number | null;
  /** Run the next calls on `n` threads (at most `max`); cheap when unchanged. */
  use(n: number): void;
}
export function check(status: number, what: string): void {
  if (status !== 0) throw new Error(`oneDNN: ${what} failed (dnnl_status_t ${status})`);
}

/** A `T*` out-parameter: call, then read the pointer it received. */
function outPointer(call: (slot: BigUint64Array) => number, what: string): Deno.PointerObject {
  const slot = new BigUint64Array(1);
  check(call(slot), what);
  const pointer = Deno.UnsafePointer.create(slot[0]);
  if (pointer === null) throw new Error(`oneDNN: ${what} returned a null handle`);
  return pointer;
}

function dims(values: number[]): BigInt64Array {
  const out = new BigInt64Array(12);
  values.forEach((v, i) => (out[i] = BigInt(v)));
  return out;
}

/** One CPU engine and stream on a loaded library, and what builds and runs primitives on them. */
export type Session = ReturnType<typeof openSession>;

/** Start a session (one CPU engine and stream) on a loaded library. */
export function openSession(dnnl: Dnnl, path: string, version: string, threads: Threads) {
  const engine = outPointer((s) => dnnl.dnnl_engine_create(s, 1, 0n), "engine_create");
  const stream = outPointer((s) => dnnl.dnnl_stream_create(s, engine, 1), "stream_create");

  const memoryDesc = (shape: number[], tag: number): Uint8Array<ArrayBuffer> => {
    const md = new Uint8Array(MEMORY_DESC_BYTES);
    check(dnnl.dnnl_memory_desc_init_by_tag(md, shape.length, dims(shape), F32, tag), "memory_desc_init");
    return md;
  };
  /** A dense row-major float32 descriptor of any rank (no format tag needed). */
  const denseDesc = (shape: number[]): Uint8Array<ArrayBuffer> => {
    const strides = shape.map((_, i) => shape.slice(i + 1).reduce((p, q) => p * q, 1));
    const md = new Uint8Array(MEMORY_DESC_BYTES);
    check(
      dnnl.dnnl_memory_desc_init_by_strides(md, shape.length, dims(shape), F32, dims(strides)),
      "memory_desc_init_by_strides",
    );
    return md;
  };

  const implName = (pd: Deno.PointerObject): string => {
    const slot = new BigUint64Array(1);
    if (dnnl.dnnl_primitive_desc_query(pd, QUERY_IMPL_INFO_STR, 0, slot) !== 0) return "?";
    const pointer = Deno.UnsafePointer.create(slot[0]);
    return pointer === null ? "?" : new Deno.UnsafePointerView(pointer).getCString();
  };

  /** A reorder primitive from one layout to another, on memory objects whose data stay put. */
  const reorder = (from: Deno.PointerValue, to: Deno.PointerValue) => {
    const pd = outPointer(
      (s) => dnnl.dnnl_reorder_primitive_desc_create(s, from, engine, to, engine, null),
      "reorder_primitive_desc",
    );
    return outPointer((s) => dnnl.dnnl_primitive_create(s, pd), "primitive_create (reorder)");
  };
  const memory = (md: Deno.PointerValue, data: Deno.PointerValue) =>
    outPointer((s) => dnnl.dnnl_memory_create(s, md, engine, data), "memory_create");
  /** A memory object on a buffer of ours, for data a primitive keeps between calls (workspace, scratch). */
  const ownedMemory = (md: Deno.PointerValue, keep: unknown[]) => {
    const buffer = new Uint8Array(Number(dnnl.dnnl_memory_desc_get_size(md)) + 64);
    keep.push(buffer);
    return memory(md, Deno.UnsafePointer.of(buffer));
  };
  const execute = (primitive: Deno.PointerValue, pairs: [number, Deno.PointerObject][]) => {
    const execArgs = new Uint8Array(16 * pairs.length);
    const view = new DataView(execArgs.buffer);
    pairs.forEach(([arg, mem], i) => {
      view.setInt32(16 * i, arg, true);
      view.setBigUint64(16 * i + 8, BigInt(Deno.UnsafePointer.value(mem)), true);
    });
    return () =>
      check(dnnl.dnnl_primitive_execute(primitive, stream, pairs.length, execArgs), "primitive_execute");
  };

  /**
   * One primitive, with a memory object per argument whose data pointer is set at each call. An
   * argument with a `query` may be laid out as the primitive prefers (format "any", used for the
   * filter): it then lives in a buffer of ours and is reordered from (`in`) or to (`out`) the dense
   * layout `md` around the call.
   */
  const build = (
    opDesc: Uint8Array<ArrayBuffer>,
    attr: Deno.PointerValue,
    hint: Deno.PointerValue,
    args: (
      | { arg: number; md: Uint8Array<ArrayBuffer>; query?: number; direction?: "in" | "out" }
      | { arg: number; fixed: Deno.PointerObject }
    )[],
  ) => {
    const pd = outPointer(
      (s) => dnnl.dnnl_primitive_desc_create(s, opDesc, attr, engine, hint),
      "primitive_desc",
    );
    const primitive = outPointer((s) => dnnl.dnnl_primitive_create(s, pd), "primitive_create");
    const before: (() => void)[] = [];
    const after: (() => void)[] = [];
    const keep: unknown[] = [];
    const userMemories: Deno.PointerObject[] = [];
    const pairs: [number, Deno.PointerObject][] = [];
    for (const spec of args) {
      if ("fixed" in spec) {
        pairs.push([spec.arg, spec.fixed]);
        continue;
      }
      const { arg, md, query, direction } = spec;
      keep.push(md);
      const user = memory(Deno.UnsafePointer.of(md), null);
      userMemories.push(user);
      const chosen = query === undefined ? null : dnnl.dnnl_primitive_desc_query_md(pd, query, 0);
      if (chosen === null || dnnl.dnnl_memory_desc_equal(md, chosen) === 1) {
        pairs.push([arg, user]);
        continue;
      }
      if (direction === undefined) throw new Error("oneDNN chose a layout other than the dense one given");
      const buffer = new Uint8Array(Number(dnnl.dnnl_memory_desc_get_size(chosen)) + 64);
      keep.push(buffer);
      const internal = memory(chosen, Deno.UnsafePointer.of(buffer));
      pairs.push([arg, internal]);
      if (direction === "in") {
        before.push(
          execute(reorder(Deno.UnsafePointer.of(md), chosen), [[ARG.src, user], [ARG.dst, internal]]),
        );
      } else {
        after.push(
          execute(reorder(chosen, Deno.UnsafePointer.of(md)), [[ARG.src, internal], [ARG.dst, user]]),
        );
      }
    }
    const main = execute(primitive, pairs);
    const run = (...pointers: Deno.PointerValue[]) => {
      pointers.forEach((p, i) =>
        check(dnnl.dnnl_memory_set_data_handle(userMemories[i], p), "set_data_handle")
      );
      for (const step of before) step();
      main();
      for (const step of after) step();
      check(dnnl.dnnl_stream_wait(stream), "stream_wait");
    };
    return { pd, run, impl: implName(pd), keep };
  };

  const reluAttr = (): Deno.PointerObject => {
    const attr = outPointer((s) => dnnl.dnnl_primitive_attr_create(s), "primitive_attr_create");
    const ops = outPointer((s) => dnnl.dnnl_post_ops_create(s), "post_ops_create");
    check(dnnl.dnnl_post_ops_append_eltwise(ops, 1, ELTWISE_RELU, 0, 0), "post_ops_append_eltwise");
    check(dnnl.dnnl_primitive_attr_set_post_ops(attr, ops), "primitive_attr_set_post_ops");
    return attr;
  };

  return {
    dnnl,
    path,
    version,
    threads,
    memoryDesc,
    denseDesc,
    ownedMemory,
    build,
    reluAttr,
    check,
    outPointer,
    dims,
    primitiveDesc: (opDesc: Uint8Array<ArrayBuffer>, hint: Deno.PointerValue = null) =>
      outPointer((s) => dnnl.dnnl_primitive_desc_create(s, opDesc, null, engine, hint), "primitive_desc"),
  };
}
