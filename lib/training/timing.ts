/**
 * Idle training times of paper recipes, for comparing settings by speed. A stored run's own seconds depend
 * on whatever else the machine was doing while it trained (sweeps run two at a time, beside notebooks and
 * tests), so orderings and ratios of time are measured here instead: after a warm-up, every recipe trains
 * one short epoch on the same number of images, in rounds (each round times every recipe once, in a rotated order, so slow drift of
 * the machine falls on all of them alike), and the seconds are scaled to a full epoch of the recipe.
 *
 * @module
 */
import { experiment } from "./experiments.ts";
import { RECIPES } from "../papers/registry.ts";
import { experimentData, runExperiment } from "./runs.ts";
import { loadFashionMnist } from "../data/fashion_mnist.ts";
import { UserError } from "../errors.ts";
import type { ExperimentConfig } from "./config.ts";

/** Options of {@link timeRecipes}. */
export interface TimingOptions {
  /** Training images per timed epoch (default 6,400: whole batches of 8, 32 and 128). */
  images?: number;
  /** Rounds: timings per recipe (default 3). */
  rounds?: number;
  /** Called after each timing (progress). */
  log?: (message: string) => void;
}

/** Seconds per training epoch of each recipe (or labelled config), one value per round. */
export interface RecipeTimes {
  /** Images in a full paper epoch of each recipe. */
  epochImages: Record<string, number>;
  /** Paper epochs of each recipe. */
  epochs: Record<string, number>;
  /** Seconds per full epoch, one per round. */
  epochSeconds: Record<string, number[]>;
  images: number;
  rounds: number;
}

/**
 * Time one training epoch of each recipe on `images` training images (its paper settings otherwise: batch,
 * optimizer, loss, model), `rounds` times, and scale each to the recipe's full epoch.
 *
 * @example
 * ```ts
 * const times = await timeRecipes(["004-tinyvgg", "004-tinyvgg-b8"], { rounds: 3 });
 * times.epochSeconds["004-tinyvgg-b8"]; // [s, s, s]
 * ```
 */
export async function timeRecipes(names: string[], options: TimingOptions = {}): Promise<RecipeTimes> {
  const unknown = names.filter((n) => !RECIPES[n]);
  if (unknown.length) throw new UserError(`unknown experiment(s) ${unknown.join(", ")}`);
  return await timeConfigs(Object.fromEntries(names.map((n) => [n, experiment(n, "paper")])), options);
}

/**
 * Time one training epoch of each labelled config on `images` of its training images, `rounds` times, and
 * scale each to the config's full epoch (as {@link timeRecipes} does for named recipes).
 *
 * @example
 * ```ts
 * const basic = experiment("001-basic", "paper");
 * await timeConfigs({ "batch 512": basic, "batch 64": { ...basic, batchSize: 64 } });
 * ```
 */
export async function timeConfigs(
  configs: Record<string, ExperimentConfig>,
  options: TimingOptions = {},
): Promise<RecipeTimes> {
  const images = options.images ?? 6400;
  const rounds = options.rounds ?? 3;
  if (!(Number.isInteger(images) && images > 0)) throw new UserError(`images must be a positive integer`);
  if (!(Number.isInteger(rounds) && rounds > 0)) throw new UserError(`rounds must be a positive integer`);
  const names = Object.keys(configs);
  if (names.length === 0) throw new UserError("nothing to time: give at least one config");
  const data = await loadFashionMnist();
  const dir = await Deno.makeTempDir({ prefix: "fmnist-timing-" });
  const times: RecipeTimes = { epochImages: {}, epochs: {}, epochSeconds: {}, images, rounds };
  const once = (name: string, trainLimit: number, seed: number) =>
    runExperiment(
      { ...configs[name], trainLimit, evalLimit: 100, epochs: 1, seed },
      { dir, data, force: true, checkpoint: false, quiet: true },
    );
  try {
    await once(names[0], Math.min(images, 256), 1); // warm-up: the backend's first kernels are slow
    for (let round = 0; round < rounds; round++) {
      const order = names.map((_, i) => names[(i + round) % names.length]);
      for (const name of order) {
        const run = await once(name, images, round + 1);
        const full = experimentData(data, configs[name]).train.count;
        times.epochImages[name] = full;
        times.epochs[name] = configs[name].epochs;
        (times.epochSeconds[name] ??= []).push(run.history[0].seconds * full / images);
        options.log?.(`${name}: ${times.epochSeconds[name].at(-1)!.toFixed(1)} s per epoch`);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  return times;
}
