/**
 * Backend selection: the fastest tfjs backend that works, and why faster ones were skipped.
 *
 * Order of preference: `tensorflow` (tfjs-node, native), then `onednn` (the wasm backend with its
 * convolutions and matrix products run natively by oneDNN through FFI, `onednn_kernels.ts`, when
 * libdnnl loads and passes a start-up self-check against plain wasm), then `wasm` (XNNPACK, one thread
 * per core through `threads.ts`, `FMNIST_WASM_THREADS`) with our gradient overrides (`gradients.ts`),
 * then the pure-JS `cpu` backend. `FMNIST_BACKEND` forces one.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { MAX_WASM_THREADS, startSingleThreadedWasm, startThreadedWasm } from "./threads.ts";
import { UserError } from "../errors.ts";
import { installWasmGradients } from "./gradients.ts";
import { installOneDnnKernels, oneDnnLibrary, setOneDnnActive } from "./onednn_kernels.ts";
import { oneDnnSelfCheck } from "./onednn_check.ts";

/** Names of the tfjs backends this project can run on, fastest first. */
export type BackendName = "tensorflow" | "wasm" | "cpu";

/**
 * The choices `FMNIST_BACKEND` can force, fastest first: the tfjs backends, plus `onednn` (the wasm
 * backend with oneDNN's convolution and matrix-product kernels).
 */
export type BackendChoice = "tensorflow" | "onednn" | "wasm" | "cpu";

/** What {@link initBackend} selected, and why faster backends were skipped. */
export interface BackendInfo {
  /**
   * `tf.getBackend()` after selection: `wasm` for the oneDNN path too. Run keys use it (oneDNN's
   * results differ from XNNPACK's at rounding level only, as thread counts do).
   */
  name: BackendName;
  /** Which of the choices runs: the backend, or `onednn` for wasm with oneDNN's kernels. */
  choice: BackendChoice;
  /** One human sentence, e.g. "wasm (XNNPACK, SIMD, 1 thread) with fast CNN gradients". */
  description: string;
  /** Why each faster backend was not used, e.g. "tensorflow: native binding not installed (...)". */
  skipped: string[];
}

const BACKEND_ORDER: readonly BackendChoice[] = ["tensorflow", "onednn", "wasm", "cpu"];
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
  options?: { prefer?: BackendChoice },
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
  setOneDnnActive(info.choice === "onednn");
  return info;
}

function readForcedFromEnv(): BackendChoice | undefined {
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
): asserts name is BackendChoice {
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
  name: BackendChoice,
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

function tryBackend(name: BackendChoice): Promise<Attempt> {
  switch (name) {
    case "tensorflow":
      return tryTensorflow();
    case "onednn":
      return tryOneDnn();
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

/**
 * oneDNN gets the process's threads and wasm one: with the heavy kernels native, wasm's own pool only
 * adds synchronisation to the small ops left (measured: TinyVGG 10.5-11.1 s per epoch against
 * 12.3-12.7 with a 2-thread pool, the ANN 2.0-2.7 against 3.7, 003-baseline the same). The library is
 * loaded before wasm starts, so that where it is missing wasm still gets its threads.
 */
async function tryOneDnn(): Promise<Attempt> {
  installWasmGradients(); // registers the wasm filter-gradient kernel oneDNN's stands in front of
  try {
    installOneDnnKernels(wasmThreads());
  } catch (error) {
    setOneDnnActive(false);
    return { ok: false, reason: error instanceof Error ? error.message.split("\n")[0] : String(error) };
  }
  const wasm = await tryWasm(1);
  if (!wasm.ok) return wasm;
  const failure = await oneDnnSelfCheck();
  setOneDnnActive(failure === null);
  if (failure !== null && wasmThreadCount === 1 && wasmThreads() > 1) {
    threadedWasmFailure =
      "wasm runs on 1 thread: it was started for oneDNN, which then failed its self-check";
  }
  return failure === null ? { ok: true } : { ok: false, reason: failure };
}

async function tryWasm(threads = wasmThreads()): Promise<Attempt> {
  setOneDnnActive(false);
  installWasmGradients();
  if (tf.findBackend("wasm") !== null) return await activate("wasm"); // initialised before: keep it
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
 * Threads a process computes on: env var `FMNIST_WASM_THREADS` (1 to 8), else one per core (at most 8).
 * Plain wasm runs its pool on them; on the oneDNN path oneDNN does, and wasm runs on one. Sweeps give
 * each worker process its share of the cores.
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

function withThreadNote(name: BackendChoice, skipped: string[]): string[] {
  return (name === "wasm" || name === "onednn") && threadedWasmFailure !== null
    ? [...skipped, threadedWasmFailure]
    : skipped;
}

async function describe(
  choice: BackendChoice,
  skipped: string[],
): Promise<BackendInfo> {
  switch (choice) {
    case "tensorflow":
      return {
        name: choice,
        choice,
        description: "tensorflow (tfjs-node, native TensorFlow C library)",
        skipped,
      };
    case "onednn": {
      const lib = oneDnnLibrary()!;
      const threads = lib.threads ?? wasmThreadCount;
      return {
        name: "wasm",
        choice,
        description: `onednn (oneDNN ${lib.version} ${lib.isa}, ${threads} thread${
          threads === 1 ? "" : "s"
        }, for convolutions, matrix products, batch norm and large elementwise ops; wasm with ${wasmThreadCount} thread${
          wasmThreadCount === 1 ? "" : "s"
        } for the rest)`,
        skipped,
      };
    }
    case "wasm": {
      const simd = await readFlag("WASM_HAS_SIMD_SUPPORT");
      const detail = [
        "XNNPACK",
        simd ? "SIMD" : "no SIMD",
        wasmThreadCount > 1 ? `${wasmThreadCount} threads` : "1 thread",
      ].join(", ");
      return {
        name: choice,
        choice,
        description: `wasm (${detail}) with fast CNN gradients`,
        skipped,
      };
    }
    case "cpu":
      return {
        name: choice,
        choice,
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
