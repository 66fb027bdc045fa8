/**
 * Benchmark of sweep parallelism: 12 independent configs (seed 000's CNN, 3,000 training images,
 * one epoch, seeds 1-12) run with 1 worker and with one worker per core, each into an empty
 * temporary store. Prints wall seconds and the speed-up.
 *
 * ```sh
 * deno task bench:sweep
 * ```
 *
 * @module
 */
import { experiment } from "./experiments.ts";
import { runSweep } from "./sweep.ts";

const configs = Array.from(
  { length: 12 },
  (_, i) =>
    experiment("000-three-block", "smoke", { seed: i + 1, trainLimit: 3000, evalLimit: 1000, epochs: 1 }),
);
const cores = navigator.hardwareConcurrency;
const seconds: Record<number, number> = {};
for (const workers of [...new Set([1, cores])]) {
  const dir = await Deno.makeTempDir({ prefix: "fmnist-sweep-bench-" });
  const t0 = performance.now();
  await runSweep(configs, { workers, dir, log: () => {} });
  seconds[workers] = (performance.now() - t0) / 1000;
  await Deno.remove(dir, { recursive: true });
  console.log(`${configs.length} configs, ${workers} worker(s): ${seconds[workers].toFixed(1)} s`);
}
if (cores > 1) console.log(`speed-up with ${cores} workers: ${(seconds[1] / seconds[cores]).toFixed(2)}x`);
