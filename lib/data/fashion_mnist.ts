/**
 * Fashion-MNIST (Xiao et al., 2017): find the four original IDX gzip files, verify them byte for
 * byte, and load them. Files are looked for in this order:
 *
 * 1. an explicit directory (`options.dir` or the `FMNIST_DATA_DIR` environment variable);
 * 2. the repository's `data/` cache;
 * 3. the directory of Debian's `dataset-fashion-mnist` package, `/usr/share/datasets/fashion-mnist`;
 * 4. the upstream mirror, downloaded into `data/` (written to a temporary file and renamed only
 *    after it verifies).
 *
 * Debian's gzip bytes differ from the upstream archive, so we verify the decompressed content
 * (magic number, dimensions, counts, SHA-256 of the whole decompressed IDX file), not the gzip.
 *
 * Run `deno run -A lib/data/fashion_mnist.ts` to locate (or download) and verify the data.
 *
 * @module
 */
import { gunzipSync } from "node:zlib";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { DataFileError, parseIdx } from "./idx.ts";
import { main } from "../errors.ts";

/** The ten class names, indexed by label. */
export const CLASS_NAMES = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
] as const;

/** Image side in pixels. */
export const IMAGE_SIZE = 28;
/** Pixels per image. */
export const PIXELS = IMAGE_SIZE * IMAGE_SIZE;

/** What one of the four files must contain once decompressed. */
export interface FileSpec {
  name: string;
  dims: number[];
  /** SHA-256 (hex) of the whole decompressed IDX file, header included. */
  sha256: string;
}

/** The four files of the dataset and the checksums of their decompressed content. */
export const FILES = {
  trainImages: {
    name: "train-images-idx3-ubyte.gz",
    dims: [60000, 28, 28],
    sha256: "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
  },
  trainLabels: {
    name: "train-labels-idx1-ubyte.gz",
    dims: [60000],
    sha256: "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
  },
  testImages: {
    name: "t10k-images-idx3-ubyte.gz",
    dims: [10000, 28, 28],
    sha256: "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
  },
  testLabels: {
    name: "t10k-labels-idx1-ubyte.gz",
    dims: [10000],
    sha256: "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
  },
} as const satisfies Record<string, FileSpec>;

/** The repository's data cache, `data/` at the repository root. */
export const CACHE_DIR = fileURLToPath(new URL("../../data/", import.meta.url));
/** Where Debian's `dataset-fashion-mnist` package installs the files. */
export const SYSTEM_DIR = "/usr/share/datasets/fashion-mnist";
/** The upstream mirror named in the Fashion-MNIST README. */
export const DEFAULT_MIRROR = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";

/** Images (row-major, one byte per pixel, 0-255) and their labels (0-9). */
export interface Subset {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

/** The official training (60,000) and test (10,000) sets, and where each file came from. */
export interface FashionMnist {
  train: Subset;
  test: Subset;
  /** File path each of the four files was read from. */
  sources: string[];
}

/** Where to look for the files, and whether and from where to download them. */
export interface LoadOptions {
  /** Explicit directory: if set (or `FMNIST_DATA_DIR` is), the files must be there. */
  dir?: string;
  /** Cache directory (default: the repository's `data/`). Downloads are written here. */
  cacheDir?: string;
  /** System directory (default: Debian's `/usr/share/datasets/fashion-mnist`). */
  systemDir?: string;
  /** Base URL of the mirror (default: `FMNIST_MIRROR` or the upstream mirror). */
  mirror?: string;
  /** Download missing files (default true). */
  download?: boolean;
  /** Download time limit per file in milliseconds (default 10 minutes). */
  timeoutMs?: number;
  /** Progress messages (default: stderr). */
  log?: (message: string) => void;
}

const HOW_TO_GET =
  "Fix: install Debian's package (sudo apt-get install dataset-fashion-mnist), or put the four " +
  "original .gz files in data/ (or in a directory named by FMNIST_DATA_DIR), or let the loader " +
  "download them (needs internet)";

async function exists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** Decompress a gzip buffer, turning zlib's terse errors into an actionable one. */
function gunzip(gz: Uint8Array, file: string, fix: string): Uint8Array {
  try {
    return new Uint8Array(gunzipSync(gz));
  } catch (e) {
    const reason = (e as Error).message;
    const what = /unexpected end/i.test(reason)
      ? "gzip stream is truncated (the file was cut short)"
      : `is not a valid gzip file (${reason})`;
    throw new DataFileError(file, what, fix);
  }
}

/** SHA-256 of bytes as lowercase hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Decompress and verify one file's gzip bytes against its spec: magic number, dimensions,
 * counts, label range and SHA-256. Returns the payload (pixels or labels).
 */
export function verifyGzip(gz: Uint8Array, spec: FileSpec, path: string, fix: string): Uint8Array {
  const raw = gunzip(gz, path, fix);
  const { dims, data } = parseIdx(raw, path, fix);
  if (dims.length !== spec.dims.length || dims.some((d, i) => d !== spec.dims[i])) {
    throw new DataFileError(
      path,
      `has dimensions ${dims.join("x")} but ${spec.name} must have ${spec.dims.join("x")} ` +
        `(wrong count or image size: is it the right file?)`,
      fix,
    );
  }
  if (spec.dims.length === 1) {
    const bad = data.findIndex((v) => v >= CLASS_NAMES.length);
    if (bad >= 0) {
      throw new DataFileError(path, `label ${data[bad]} at index ${bad} is not in 0-9`, fix);
    }
  }
  const digest = sha256Hex(raw);
  if (digest !== spec.sha256) {
    throw new DataFileError(
      path,
      `checksum mismatch: SHA-256 of the decompressed content is ${digest}, expected ${spec.sha256}`,
      fix,
    );
  }
  return data;
}

/** Read and verify one file from disk. */
export async function readVerified(path: string, spec: FileSpec, fix: string): Promise<Uint8Array> {
  let gz: Uint8Array;
  try {
    gz = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new DataFileError(path, "file not found", fix);
    }
    if (e instanceof Deno.errors.PermissionDenied) {
      throw new DataFileError(
        path,
        "permission denied (cannot read it)",
        `Fix: make it readable (chmod a+r), or ${fix.replace(/^Fix: /, "")}`,
      );
    }
    if (e instanceof Deno.errors.IsADirectory || (e as { code?: string }).code === "EISDIR") {
      throw new DataFileError(path, "is a directory, not the gzip file", fix);
    }
    throw e;
  }
  return verifyGzip(gz, spec, path, fix);
}

/**
 * Download one file from `mirror` into `dir`: written to a temporary file, verified, then renamed
 * into place. On any failure the temporary file is removed and nothing is left behind.
 */
export async function downloadVerified(
  mirror: string,
  spec: FileSpec,
  dir: string,
  options: { timeoutMs?: number; log?: (m: string) => void } = {},
): Promise<{ path: string; payload: Uint8Array }> {
  const url = new URL(spec.name, mirror.endsWith("/") ? mirror : mirror + "/").href;
  const dest = `${dir.replace(/\/$/, "")}/${spec.name}`;
  const tmp = `${dest}.partial-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  const log = options.log ?? ((m: string) => console.error(m));
  const fix = `Fix: check your internet connection or the mirror (FMNIST_MIRROR=${mirror}); ` +
    HOW_TO_GET.replace(/^Fix: /, "or ");
  await Deno.mkdir(dir, { recursive: true });
  try {
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 600_000) });
    } catch (e) {
      throw new DataFileError(url, `mirror unreachable (${(e as Error).message})`, fix);
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new DataFileError(url, `download failed with HTTP ${response.status}`, fix);
    }
    const total = Number(response.headers.get("content-length") ?? 0);
    const file = await Deno.open(tmp, { write: true, createNew: true });
    let received = 0;
    let lastLogged = 0;
    try {
      for await (const chunk of response.body) {
        await file.write(chunk);
        received += chunk.length;
        if (received - lastLogged > 4e6) {
          lastLogged = received;
          const of = total ? ` of ${(total / 1e6).toFixed(1)}` : "";
          log(`downloading ${spec.name}: ${(received / 1e6).toFixed(1)}${of} MB`);
        }
      }
    } catch (e) {
      throw new DataFileError(url, `download interrupted (${(e as Error).message})`, fix);
    } finally {
      file.close();
    }
    const payload = verifyGzip(await Deno.readFile(tmp), spec, url, fix);
    await Deno.rename(tmp, dest);
    log(`downloaded and verified ${dest}`);
    return { path: dest, payload };
  } finally {
    await Deno.remove(tmp).catch(() => {});
  }
}

/** Resolve and load one file, following the lookup order in this module's header. */
async function loadFile(
  spec: FileSpec,
  options: LoadOptions,
): Promise<{ path: string; payload: Uint8Array }> {
  const explicit = options.dir ?? Deno.env.get("FMNIST_DATA_DIR");
  if (explicit) {
    const path = `${explicit.replace(/\/$/, "")}/${spec.name}`;
    const fix = `Fix: put the original ${spec.name} in ${explicit}, or unset FMNIST_DATA_DIR ` +
      `to use data/ or Debian's dataset-fashion-mnist package`;
    return { path, payload: await readVerified(path, spec, fix) };
  }
  const cacheDir = options.cacheDir ?? CACHE_DIR;
  const cached = `${cacheDir.replace(/\/$/, "")}/${spec.name}`;
  if (await exists(cached)) {
    const fix = `Fix: delete ${cached} and run again to fetch a good copy`;
    return { path: cached, payload: await readVerified(cached, spec, fix) };
  }
  const system = `${(options.systemDir ?? SYSTEM_DIR).replace(/\/$/, "")}/${spec.name}`;
  if (await exists(system)) {
    const fix = "Fix: reinstall the package (sudo apt-get install --reinstall dataset-fashion-mnist)";
    return { path: system, payload: await readVerified(system, spec, fix) };
  }
  if (options.download === false) {
    throw new DataFileError(spec.name, `not found in ${cacheDir} or ${SYSTEM_DIR}`, HOW_TO_GET);
  }
  const mirror = options.mirror ?? Deno.env.get("FMNIST_MIRROR") ?? DEFAULT_MIRROR;
  return await downloadVerified(mirror, spec, cacheDir, options);
}

const memo = new Map<string, Promise<FashionMnist>>();

/**
 * Load Fashion-MNIST's training and test sets, verified (see the module header for the lookup
 * order). Results are memoised per option set, so notebooks can call it freely.
 *
 * @example
 * ```ts
 * const { train, test } = await loadFashionMnist();
 * console.log(train.count, test.count); // 60000 10000
 * ```
 */
export function loadFashionMnist(options: LoadOptions = {}): Promise<FashionMnist> {
  const key = JSON.stringify({ ...options, log: undefined, env: Deno.env.get("FMNIST_DATA_DIR") });
  let pending = memo.get(key);
  if (!pending) {
    pending = (async () => {
      const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(
        [FILES.trainImages, FILES.trainLabels, FILES.testImages, FILES.testLabels]
          .map((spec) => loadFile(spec, options)),
      );
      return {
        train: { images: trainImages.payload, labels: trainLabels.payload, count: 60000 },
        test: { images: testImages.payload, labels: testLabels.payload, count: 10000 },
        sources: [trainImages.path, trainLabels.path, testImages.path, testLabels.path],
      };
    })();
    pending.catch(() => memo.delete(key));
    memo.set(key, pending);
  }
  return pending;
}

if (import.meta.main) {
  await main(async () => {
    const t0 = performance.now();
    const data = await loadFashionMnist();
    const seconds = ((performance.now() - t0) / 1000).toFixed(1);
    console.log(
      `Fashion-MNIST verified in ${seconds} s: ${data.train.count} training and ` +
        `${data.test.count} test images`,
    );
    for (const source of data.sources) console.log(`  ${source}`);
  });
}
