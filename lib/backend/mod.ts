/**
 * Backend: which tfjs backend runs (tfjs-node, else wasm on every core with our fast CNN gradients,
 * else cpu), the wasm gradient overrides and replaced kernels, and the threaded wasm start under Deno.
 * Above data; below everything that computes.
 *
 * @module
 */
export * from "./select.ts";
export { installWasmGradients } from "./gradients.ts";
export { MAX_WASM_THREADS } from "./threads.ts";
