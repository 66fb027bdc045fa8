/**
 * Sweeps over many experiment configs (seed repeats, hyperparameter tables) on every core: one
 * worker process per core, all writing to the same run store. A worker claims a config by
 * creating `<key>.claim` exclusively before training it, so no config is trained twice; results
 * are written atomically by `runExperiment`. The same mechanism spreads a sweep over machines:
 * each takes a shard of the configs by key (`shard: { index, count }`), and stores merge by
 * copying their `data/runs/*.json` files together.
 *
 * ```sh
 * deno run -A lib/training/sweep.ts configs.json [--workers 2] [--threads 1] [--shard 0/3]
 * ```
 *
 * @module
 */
import { createHash } from "node:crypto";
import { initBackend } from "../backend/select.ts";
import { main, UserError } from "../errors.ts";
import { MAX_WASM_THREADS } from "../backend/threads.ts";
import { checkConfig, type ExperimentConfig } from "./config.ts";
import { loadResult, runKey, type RunResult, runsDir } from "./store.ts";
import { runExperiment } from "./runs.ts";
import { claimRun, releaseRun } from "./claims.ts";

/** Options of {@link runSweep}. */
export interface SweepOptions {
  /** Worker processes (default: one per core). */
  workers?: number;
  /** wasm threads of each worker (default: the cores shared out, at least 1). */
  threadsPerWorker?: number;
  /** Only the configs whose key falls in this shard (for spreading a sweep over machines). */
  shard?: { index: number; count: number };
  /** Store directory (default: `FMNIST_RUNS_DIR` or `data/runs`). */
  dir?: string;
  log?: (message: string) => void;
}

/** Parse a shard `i/n` (0 <= i < n). */
export function parseShard(text: string): { index: number; count: number } {
  const [index, count] = text.split("/").map(Number);
  if (!(Number.isInteger(index) && Number.isInteger(count) && count > 0 && index >= 0 && index < count)) {
    throw new UserError(`--shard needs i/n with 0 <= i < n (for example 0/3), got "${text}"`);
  }
  return { index, count };
}

/** True if `key` belongs to shard `index` of `count` (a stable hash of the key, modulo count). */
export function inShard(key: string, shard?: { index: number; count: number }): boolean {
  if (!shard) return true;
  const h = createHash("sha256").update(key).digest().readUInt32BE(0);
  return h % shard.count === shard.index;
}

/** Claim a config for this process (see `claims.ts`): false when another live process holds it. */
export async function claim(dir: string, key: string): Promise<boolean> {
  return (await claimRun(dir, key)).state !== "busy";
}

/** Work through `configs` in this process, skipping stored and claimed ones; returns the keys it trained. */
export async function work(configs: ExperimentConfig[], options: SweepOptions = {}): Promise<string[]> {
  const dir = options.dir ?? runsDir();
  await Deno.mkdir(dir, { recursive: true });
  const backend = (await initBackend()).name;
  const trained: string[] = [];
  for (const config of configs) {
    const { key } = await runKey(config, backend);
    if (!inShard(key, options.shard)) continue;
    if (await loadResult(key, dir, () => {})) continue;
    if (!(await claim(dir, key))) continue;
    try {
      await runExperiment(config, { dir, quiet: true, log: options.log });
      trained.push(key);
    } finally {
      await releaseRun(dir, key);
    }
  }
  return trained;
}

/**
 * Run every config, spread over worker processes, and return the results in config order.
 * Configs already in the store are not retrained.
 */
export async function runSweep(
  configs: ExperimentConfig[],
  options: SweepOptions = {},
): Promise<RunResult[]> {
  const dir = options.dir ?? runsDir();
  const workers = Math.max(1, Math.min(options.workers ?? navigator.hardwareConcurrency, configs.length));
  const log = options.log ?? ((m: string) => console.error(m));
  const threadsPerWorker = options.threadsPerWorker ??
    Math.max(1, Math.min(MAX_WASM_THREADS, Math.floor(navigator.hardwareConcurrency / workers)));
  await Deno.mkdir(dir, { recursive: true });
  const listFile = await Deno.makeTempFile({ prefix: "fmnist-sweep-", suffix: ".json" });
  await Deno.writeTextFile(listFile, JSON.stringify(configs));
  try {
    const shard = options.shard ? ["--shard", `${options.shard.index}/${options.shard.count}`] : [];
    const children = Array.from({ length: workers }, (_, w) =>
      new Deno.Command(Deno.execPath(), {
        // Each worker starts at a different offset, so they do not all race for the first config.
        args: ["run", "-A", new URL(import.meta.url).pathname, listFile, "--worker", String(w), ...shard],
        // The cores are shared out: each worker's wasm backend gets its part of them as threads.
        env: { FMNIST_RUNS_DIR: dir, CI: "1", FMNIST_WASM_THREADS: String(threadsPerWorker) },
        stdout: "inherit",
        stderr: "inherit",
      }).spawn());
    const statuses = await Promise.all(children.map((c) => c.status));
    const failed = statuses.filter((s) => !s.success).length;
    if (failed) throw new Error(`${failed} of ${workers} sweep workers failed (see their errors above)`);
  } finally {
    await Deno.remove(listFile).catch(() => {});
  }
  const backend = (await initBackend()).name;
  const results: RunResult[] = [];
  for (const config of configs) {
    const { key } = await runKey(config, backend);
    if (!inShard(key, options.shard)) continue;
    const result = await loadResult(key, dir, log);
    if (!result) throw new Error(`sweep finished but ${key} has no stored result`);
    results.push(result);
  }
  return results;
}

if (import.meta.main) {
  await main(async () => {
    const [file, ...rest] = Deno.args;
    if (!file) {
      throw new UserError(
        "usage: deno run -A lib/training/sweep.ts configs.json [--workers N] [--threads N] [--shard i/n]",
      );
    }
    let configs: ExperimentConfig[];
    try {
      configs = JSON.parse(await Deno.readTextFile(file));
    } catch (e) {
      throw new UserError(`cannot read the configs in ${file} (${(e as Error).message})`);
    }
    if (!Array.isArray(configs) || configs.length === 0) {
      throw new UserError(
        `${file} must hold a JSON list of experiment configs, got ${JSON.stringify(configs).slice(0, 60)}`,
      );
    }
    configs.forEach((config, i) => {
      try {
        checkConfig(config);
      } catch (e) {
        throw new UserError(`${file}, config ${i + 1} of ${configs.length}: ${(e as Error).message}`);
      }
    });
    const flag = (name: string) => {
      const i = rest.indexOf(name);
      return i >= 0 ? rest[i + 1] : undefined;
    };
    const shardText = flag("--shard");
    const shard = shardText ? parseShard(shardText) : undefined;
    const worker = flag("--worker");
    if (worker !== undefined) {
      const offset = Number(worker) % configs.length;
      await work([...configs.slice(offset), ...configs.slice(0, offset)], { shard });
    } else {
      const t0 = performance.now();
      const workers = Number(flag("--workers") ?? navigator.hardwareConcurrency);
      if (!Number.isInteger(workers) || workers < 1) {
        throw new UserError(`--workers needs a positive whole number, got "${flag("--workers")}"`);
      }
      const threadsText = flag("--threads");
      const threadsPerWorker = threadsText === undefined ? undefined : Number(threadsText);
      if (threadsPerWorker !== undefined && (!Number.isInteger(threadsPerWorker) || threadsPerWorker < 1)) {
        throw new UserError(`--threads needs a positive whole number, got "${threadsText}"`);
      }
      const results = await runSweep(configs, { workers, shard, threadsPerWorker });
      console.log(`${results.length} results in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
  });
}
