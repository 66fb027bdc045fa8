/**
 * What the oneDNN kernels share: the parts of tfjs's wasm backend they use, and pointers into its heap
 * (FFI pointers into the shared `WebAssembly.Memory`, so oneDNN computes in place, without copies).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { OneDnn } from "./onednn.ts";

export type KernelFunc = NonNullable<ReturnType<typeof tf.getKernel>>["kernelFunc"];
export type KernelArgs = Parameters<KernelFunc>[0];
export type Info = tf.TensorInfo;

/** A oneDNN kernel: its output, or null when it does not handle this case (wasm's kernel runs). */
export type Fast = (args: KernelArgs, dnnl: OneDnn) => Info | null;

/** The parts of tfjs's wasm backend these kernels use. */
export interface WasmBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): Info;
}

/** The kernel's backend, as the wasm backend it is. */
export function wasmOf(backend: unknown): WasmBackend {
  return backend as WasmBackend;
}

/** A pointer to a tensor's data on the wasm heap (taken per call: a growing heap may move). */
export function heapPointer(backend: WasmBackend, info: Info): Deno.PointerValue {
  const base = Deno.UnsafePointer.of(backend.wasm.HEAPU8 as Uint8Array<ArrayBuffer>);
  return Deno.UnsafePointer.offset(base!, backend.dataIdMap.get(info.dataId).memoryOffset);
}

/** A float32 view of a tensor's data on the wasm heap. */
export function heapFloats(backend: WasmBackend, info: Info, size: number): Float32Array {
  return new Float32Array(backend.wasm.HEAPU8.buffer, backend.dataIdMap.get(info.dataId).memoryOffset, size);
}

/** Whether every given tensor is float32. */
export function allFloat(...infos: (Info | undefined)[]): boolean {
  return infos.every((i) => i === undefined || i.dtype === "float32");
}

/** Number of elements of a shape. */
export function sizeOf(shape: number[]): number {
  return shape.reduce((p, q) => p * q, 1);
}
