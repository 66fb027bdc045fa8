/**
 * Start tfjs's multi-threaded wasm build (XNNPACK on a pthread pool) under Deno, so that convolutions and
 * matMuls use every core: a 64x26x26x64 convolution takes 47.6 ms on 2 threads against 91.4 ms on 1, with
 * bit-identical results.
 *
 * As shipped, the threaded build cannot start under Deno. Emscripten sees `process.versions.node` and
 * takes its Node path, and then:
 * 1. tfjs hands it the pthread worker script as a `blob:` URL, which `node:worker_threads` refuses (file
 *    paths only);
 * 2. the worker loads the main script, which it receives as a Blob, with `fs.readFileSync`, and that
 *    script is the factory's `toString()`, which has lost the bundle-level names it refers to;
 * 3. the worker script assigns `self` and `location`, which are getter-only in a Deno worker;
 * 4. the pool is capped at `os.cpus().length / 2` threads (1 on a 2-core machine).
 *
 * {@link startThreadedWasm} therefore patches four globals while the backend initialises, and restores
 * them in a `finally`: `Blob` (to read the scripts' text), `URL.createObjectURL` (the worker script
 * becomes a temporary `.cjs` file with a prelude that makes those globals writable), `Worker` (a
 * `node:worker_threads` Worker that sends the main script as a file path and never keeps the process
 * alive) and `os.cpus` (reports enough cores for the pool). Nothing under node_modules is changed. The
 * recipe depends on strings inside @tensorflow/tfjs-backend-wasm 4.22.0; on any other version, or any
 * failure, the caller falls back to the single-threaded build.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import * as wasm from "@tensorflow/tfjs-backend-wasm";
import { Worker as NodeWorker } from "node:worker_threads";
import os from "node:os";

/** The tfjs-backend-wasm version whose bundle this recipe was written against. */
export const SUPPORTED_WASM_VERSION = "4.22.0";
/** Emscripten's pool holds 8 pthread workers; more threads cannot start. */
export const MAX_WASM_THREADS = 8;

const WORKER_MARK = "WasmBackendModuleThreadedSimd(Module)";
const MAIN_MARK = "var WasmBackendModuleThreadedSimd = ";

/** Run first in each worker: globals the Emscripten worker script assigns become writable. */
const WORKER_PRELUDE = `(function () {
  for (const k of ["self", "location", "Worker", "importScripts", "postMessage", "performance", "Module", "require"]) {
    const d = Object.getOwnPropertyDescriptor(globalThis, k);
    if (d && (d.get ? !d.set : !d.writable)) {
      Object.defineProperty(globalThis, k, {
        value: d.get ? d.get.call(globalThis) : d.value, writable: true, configurable: true, enumerable: d.enumerable,
      });
    }
  }
})();
`;

/** The bundle-level names that the factory's source text refers to (lost by `Function.toString`). */
const MAIN_PRELUDE = `
var require$$0 = require("fs"), require$$1 = require("path");
var require$$3 = require("perf_hooks"), require$$4 = require("os");
var commonjsGlobal = globalThis;
var _scriptDir = undefined;
function __values(o) { return o[Symbol.iterator](); }
function __read(o, n) { var a = []; for (var v of o) { if (n !== undefined && a.length >= n) break; a.push(v); } return a; }
function __spreadArray(to, from) { return to.concat(Array.prototype.slice.call(from)); }
`;

/** The two scripts' text, captured during initialisation, and their temporary files. */
const scripts = { worker: "", main: "", dir: "", workerPath: "", mainPath: "" };

function scriptFiles(): { workerPath: string; mainPath: string } {
  if (scripts.worker === "" || scripts.main === "") {
    throw new Error("threaded wasm: the worker and main scripts were not captured during initialisation");
  }
  const missing = (path: string) => {
    try {
      return path === "" || !Deno.statSync(path).isFile;
    } catch {
      return true;
    }
  };
  if (missing(scripts.workerPath) || missing(scripts.mainPath)) {
    scripts.dir = Deno.makeTempDirSync({ prefix: "fmnist-wasm-threads-" });
    scripts.workerPath = `${scripts.dir}/tfjs-backend-wasm-threaded-simd.worker.cjs`;
    scripts.mainPath = `${scripts.dir}/tfjs-backend-wasm-threaded-simd.main.js`;
    Deno.writeTextFileSync(scripts.workerPath, WORKER_PRELUDE + scripts.worker);
    Deno.writeTextFileSync(scripts.mainPath, MAIN_PRELUDE + scripts.main);
  }
  return { workerPath: scripts.workerPath, mainPath: scripts.mainPath };
}

/** Delete the temporary script files (workers read them only while starting). */
function removeScriptFiles(): void {
  if (scripts.dir !== "") {
    try {
      Deno.removeSync(scripts.dir, { recursive: true });
    } catch { /* already gone */ }
  }
  scripts.dir = scripts.workerPath = scripts.mainPath = "";
}

/** A pthread worker: gets the main script as a file path, and never keeps the process alive. */
class PthreadWorker extends NodeWorker {
  /** Emscripten ref()s a worker while it runs a pthread; XNNPACK's pool threads never end. */
  override ref(): void {}
  // deno-lint-ignore no-explicit-any
  override postMessage(message: any, transfer?: any): void {
    if (message?.cmd === "load" && typeof message.urlOrBlob !== "string") {
      message = { ...message, urlOrBlob: scriptFiles().mainPath };
    }
    super.postMessage(message, transfer);
  }
}

/** The result of {@link startThreadedWasm}: the thread count, or why the threaded build did not start. */
export type ThreadedStart = { ok: true; threads: number } | { ok: false; reason: string };

/**
 * Initialise the `wasm` backend from tfjs's threaded-SIMD build with `threads` threads (2 to 8). Must run
 * before anything else initialises the wasm backend. Returns why not when it cannot start; the caller then
 * initialises the single-threaded build (see {@link startSingleThreadedWasm}).
 */
export async function startThreadedWasm(threads: number): Promise<ThreadedStart> {
  if (!(Number.isInteger(threads) && threads >= 2 && threads <= MAX_WASM_THREADS)) {
    return { ok: false, reason: `a threaded start needs 2 to ${MAX_WASM_THREADS} threads, not ${threads}` };
  }
  if (wasm.version_wasm !== SUPPORTED_WASM_VERSION) {
    return {
      ok: false,
      reason:
        `threads are enabled for tfjs-backend-wasm ${SUPPORTED_WASM_VERSION}, found ${wasm.version_wasm}`,
    };
  }
  wasm.setThreadsCount(threads);
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);
  const g = globalThis as Record<string, unknown>;
  const originalBlob = globalThis.Blob;
  const originalCreate = URL.createObjectURL;
  const originalCpus = os.cpus;
  const workerDescriptor = Object.getOwnPropertyDescriptor(globalThis, "Worker");
  const texts = new WeakMap<Blob, string>();
  let started = false;
  try {
    os.cpus = () => {
      const cpus = originalCpus();
      while (cpus.length < 2 * threads) cpus.push(cpus[0]);
      return cpus;
    };
    g.Blob = class extends originalBlob {
      constructor(parts: BlobPart[] = [], options?: BlobPropertyBag) {
        super(parts, options);
        if (parts.length > 0 && parts.every((part) => typeof part === "string")) {
          const text = parts.join("");
          if (text.startsWith(MAIN_MARK)) scripts.main = text;
          texts.set(this, text);
        }
      }
    };
    URL.createObjectURL = (object: Blob) => {
      const text = object instanceof originalBlob ? texts.get(object) : undefined;
      if (text === undefined || !text.includes(WORKER_MARK)) return originalCreate(object);
      scripts.worker = text;
      return scriptFiles().workerPath;
    };
    Object.defineProperty(globalThis, "Worker", {
      configurable: true,
      enumerable: workerDescriptor?.enumerable ?? false,
      get: () => PthreadWorker,
      set: () => {}, // Emscripten stores node's Worker here; keep ours
    });
    started = await tf.setBackend("wasm");
  } catch (error) {
    return { ok: false, reason: `threaded start failed: ${error instanceof Error ? error.message : error}` };
  } finally {
    g.Blob = originalBlob;
    URL.createObjectURL = originalCreate;
    os.cpus = originalCpus;
    if (workerDescriptor) Object.defineProperty(globalThis, "Worker", workerDescriptor);
    else delete g.Worker;
  }
  if (!started) return { ok: false, reason: "threaded start failed (see the tfjs warning above)" };
  // deno-lint-ignore no-explicit-any
  const pthread = (tf.backend() as any).wasm?.PThread;
  if (pthread) {
    // Workers started later must not use the restored global Worker (Deno's web Worker).
    pthread.allocateUnusedWorker = () =>
      pthread.unusedWorkers.push(new PthreadWorker(scriptFiles().workerPath));
    // The pool pre-starts 8 workers and XNNPACK keeps threads - 1 of them: end the idle ones (~80 MiB).
    for (const idle of pthread.unusedWorkers.splice(0)) idle.terminate();
  }
  removeScriptFiles(); // written again if a worker is ever started later
  return { ok: true, threads: wasm.getThreadsCount() };
}

/** Initialise the single-threaded wasm build (also after a failed threaded start). */
export async function startSingleThreadedWasm(): Promise<boolean> {
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
  wasm.setThreadsCount(1);
  return await tf.setBackend("wasm");
}
