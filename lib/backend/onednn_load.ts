/**
 * Finding and opening oneDNN: where it is looked for (`FMNIST_DNNL`, Debian/Ubuntu, conda, Homebrew),
 * its major version (2.x only: 3.x changed the C API, and is refused with a message), and OpenMP's
 * thread count.
 *
 * @module
 */
import { type Dnnl, openSession, type Session, SYMBOLS, type Threads } from "./onednn_ffi.ts";

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
    return openSession(lib.symbols, path, version, openMp(threads));
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

/** Open the OpenMP runtime oneDNN threads with and set its thread count to `threads`. */
function openMp(threads: number): Threads {
  for (const name of OPENMP_CANDIDATES) {
    let omp;
    try {
      omp = Deno.dlopen(name, {
        omp_set_num_threads: { parameters: ["i32"], result: "void" },
        omp_get_max_threads: { parameters: [], result: "i32" },
      });
    } catch {
      continue; // try the next runtime
    }
    omp.symbols.omp_set_num_threads(threads);
    const max = omp.symbols.omp_get_max_threads();
    let current = max;
    return {
      max,
      use(n: number) {
        const wanted = Math.max(1, Math.min(n, max));
        if (wanted !== current) {
          omp.symbols.omp_set_num_threads(wanted);
          current = wanted;
        }
      },
    };
  }
  return { max: null, use() {} };
}
