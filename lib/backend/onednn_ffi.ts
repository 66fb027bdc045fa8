/**
 * oneDNN's C API through Deno FFI: the library found and opened, its constants, and a session (one CPU
 * engine and stream) that builds primitives whose arguments are raw pointers set at each call.
 *
 * Speaks oneDNN's 2.x C API (Debian 12 and Ubuntu's `libdnnl2`); 3.x changed that API and is refused
 * with a message. The primitives themselves are in `onednn.ts`.
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

const SYMBOLS = {
  dnnl_version: { parameters: [], result: "pointer" },
  dnnl_engine_create: { parameters: ["buffer", "i32", "usize"], result: "i32" },
  dnnl_stream_create: { parameters: ["buffer", "pointer", "u32"], result: "i32" },
  dnnl_stream_wait: { parameters: ["pointer"], result: "i32" },
  dnnl_memory_desc_init_by_tag: { parameters: ["buffer", "i32", "buffer", "i32", "i32"], result: "i32" },
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

type Dnnl = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/**
 * Where to look for oneDNN, in order: `FMNIST_DNNL` alone when set (a file path: set it to use that
 * library and nothing else), else the usual names on Linux (Debian/Ubuntu `libdnnl2`), in an active
 * conda environment, and on macOS (Homebrew `onednn`).
 */
export function libraryCandidates(): string[] {
  const explicit = readEnv("FMNIST_DNNL");
  if (explicit) return [explicit];
  const candidates: string[] = [];
  const conda = readEnv("CONDA_PREFIX");
  if (Deno.build.os === "darwin") {
    if (conda) candidates.push(`${conda}/lib/libdnnl.2.dylib`, `${conda}/lib/libdnnl.dylib`);
    candidates.push(
      "/opt/homebrew/lib/libdnnl.2.dylib",
      "/usr/local/lib/libdnnl.2.dylib",
      "/opt/homebrew/lib/libdnnl.dylib",
      "/usr/local/lib/libdnnl.dylib",
    );
  } else if (Deno.build.os === "windows") {
    if (conda) candidates.push(`${conda}\\Library\\bin\\dnnl.dll`);
    candidates.push("dnnl.dll");
  } else {
    if (conda) candidates.push(`${conda}/lib/libdnnl.so.2`, `${conda}/lib/libdnnl.so`);
    candidates.push("libdnnl.so.2", "libdnnl.so");
  }
  return candidates;
}

/** How to get oneDNN 2.x, in one line (errors and the backend banner say it). */
export const ONEDNN_INSTALL_HINT =
  "install oneDNN 2.x (Debian/Ubuntu: `apt-get install libdnnl2`; conda: `conda install onednn=2`) " +
  "or set FMNIST_DNNL=<path to libdnnl>";

/** The OpenMP runtime oneDNN's Linux builds thread with (it sets oneDNN's thread count). */
const OPENMP_CANDIDATES = ["libgomp.so.1", "libiomp5.so", "libomp.so", "libomp.dylib", "libiomp5.dylib"];

function readEnv(name: string): string | undefined {
  try {
    const value = Deno.env.get(name)?.trim();
    return value ? value : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Loading

/** Why oneDNN could not be loaded (library missing, wrong major version, failed call). */
export class OneDnnUnavailable extends Error {}

/**
 * Open oneDNN from the first candidate that loads (see {@link libraryCandidates}), set its thread
 * count (OpenMP) to `threads` and start a session on it. Throws {@link OneDnnUnavailable} with the
 * reason when none works.
 */
export function openOneDnn(threads: number): Session {
  // OpenMP's threads spin after each parallel region by default, taking the cores from the wasm
  // threads that run everything else (a TinyVGG epoch: 50 s spinning, 35 s passive). The runtime
  // reads this when it loads, with libdnnl.
  if (readEnv("OMP_WAIT_POLICY") === undefined) Deno.env.set("OMP_WAIT_POLICY", "passive");
  const tried: { path: string; reason: string }[] = [];
  for (const path of libraryCandidates()) {
    let lib: Deno.DynamicLibrary<typeof SYMBOLS>;
    try {
      lib = Deno.dlopen(path, SYMBOLS);
    } catch (error) {
      // Deno says "Could not open library: Could not open library: <path>: <why>".
      const why = firstLine(error).replace(/^(Could not open library: )+/, "").replace(`${path}: `, "");
      tried.push({ path, reason: why });
      continue;
    }
    const version = readVersion(lib.symbols);
    if (!version.startsWith("2.")) {
      lib.close();
      throw new OneDnnUnavailable(
        `${path} is oneDNN ${version}; this project speaks oneDNN 2.x's C API (Debian/Ubuntu libdnnl2)`,
      );
    }
    return openSession(lib.symbols, path, version, setOpenMpThreads(threads));
  }
  const explicit = readEnv("FMNIST_DNNL");
  throw new OneDnnUnavailable(
    explicit
      ? `FMNIST_DNNL=${explicit} cannot be loaded (${
        tried[0].reason
      }): point it at libdnnl.so.2 (oneDNN 2.x) or unset it`
      : `libdnnl not found (tried ${tried.map((t) => t.path).join(", ")}): ${ONEDNN_INSTALL_HINT}`,
  );
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}

function readVersion(dnnl: Dnnl): string {
  const pointer = dnnl.dnnl_version();
  if (pointer === null) return "unknown";
  const view = new Deno.UnsafePointerView(pointer);
  return `${view.getInt32(0)}.${view.getInt32(4)}.${view.getInt32(8)}`;
}

/** Set OpenMP's thread count in this process (oneDNN's runtime); null when no OpenMP runtime loads. */
function setOpenMpThreads(threads: number): number | null {
  for (const name of OPENMP_CANDIDATES) {
    try {
      const omp = Deno.dlopen(name, {
        omp_set_num_threads: { parameters: ["i32"], result: "void" },
        omp_get_max_threads: { parameters: [], result: "i32" },
      });
      omp.symbols.omp_set_num_threads(threads);
      return omp.symbols.omp_get_max_threads();
    } catch {
      // try the next runtime
    }
  }
  return null;
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

function openSession(dnnl: Dnnl, path: string, version: string, threads: number | null) {
  const engine = outPointer((s) => dnnl.dnnl_engine_create(s, 1, 0n), "engine_create");
  const stream = outPointer((s) => dnnl.dnnl_stream_create(s, engine, 1), "stream_create");

  const memoryDesc = (shape: number[], tag: number): Uint8Array<ArrayBuffer> => {
    const md = new Uint8Array(MEMORY_DESC_BYTES);
    check(dnnl.dnnl_memory_desc_init_by_tag(md, shape.length, dims(shape), F32, tag), "memory_desc_init");
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
