/**
 * Benchmark of sweep parallelism: 12 independent configs (Abdul Aziz & Sayed's CNN, 3,000 training images,
 * one epoch, seeds 1-12), each arrangement into an empty temporary store: 1 worker on 1 thread,
 * 1 worker on every core's thread (XNNPACK's pool), and one single-threaded worker per core.
 * Prints wall seconds and the speed-ups over the first.
 *
 * ```sh
 * deno task bench:sweep
 * ```
 *
 * @module
 */
import { main } from "../errors.ts";
import { experiment } from "../training/experiments.ts";
import { runSweep } from "../training/sweep.ts";
import { MAX_WASM_THREADS } from "../backend/threads.ts";

/** Time the sweep arrangements one after another and print each. */
async function benchSweep(): Promise<void> {
  const configs = Array.from(
    { length: 12 },
    (_, i) =>
      experiment("000-three-block", "smoke", { seed: i + 1, trainLimit: 3000, evalLimit: 1000, epochs: 1 }),
  );
  const cores = navigator.hardwareConcurrency;
  const arrangements = [
    { workers: 1, threadsPerWorker: 1 },
    ...(cores > 1
      ? [{ workers: 1, threadsPerWorker: Math.min(cores, MAX_WASM_THREADS) }, {
        workers: cores,
        threadsPerWorker: 1,
      }]
      : []),
  ];
  let baseline = 0;
  for (const arrangement of arrangements) {
    const dir = await Deno.makeTempDir({ prefix: "fmnist-sweep-bench-" });
    const t0 = performance.now();
    await runSweep(configs, { ...arrangement, dir, log: () => {} });
    const seconds = (performance.now() - t0) / 1000;
    baseline ||= seconds;
    await Deno.remove(dir, { recursive: true });
    console.log(
      `${configs.length} configs, ${arrangement.workers} worker(s) x ${arrangement.threadsPerWorker} thread(s): ` +
        `${seconds.toFixed(1)} s (${(baseline / seconds).toFixed(2)}x)`,
    );
  }
}

if (import.meta.main) await main(benchSweep);
