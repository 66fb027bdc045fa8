/**
 * What augmentation costs per epoch: the batches of a 60,000-image epoch (batch 64) built the way training
 * builds them (`batchTensors`), without and with an augmentation (default Band et al.'s `band2024`), on the
 * active backend. The difference is augmentation's own cost; compare it with a model's seconds per epoch
 * (`deno task bench`) to see its share. A benchmark: it prints numbers and checks nothing.
 *
 * ```sh
 * deno task bench:augment                      # band2024, 3 rounds
 * deno task bench:augment --augmentation band2024 --rounds 5
 * ```
 *
 * @module
 */
import { mean } from "../format.ts";
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { main, UserError } from "../errors.ts";
import { initBackend } from "../backend/select.ts";
import { loadFashionMnist, type Subset } from "../data/fashion_mnist.ts";
import { augmentationNamed, augmentBatch } from "../data/augment.ts";
import { permutation, seededRandom } from "../data/splits.ts";
import { batchTensors } from "../training/fit.ts";

const EPOCH_IMAGES = 60_000;
const BATCH = 64;

/** Seconds to build every batch of one epoch, with `transform` applied to each (or none). */
async function epochSeconds(
  images: Subset,
  transform?: (xs: tf.Tensor4D, random: () => number) => tf.Tensor4D,
): Promise<number> {
  const order = permutation(images.count, 1);
  const random = seededRandom(1);
  const t0 = performance.now();
  for (let start = 0; start < EPOCH_IMAGES; start += BATCH) {
    const { xs, ys } = batchTensors(
      images,
      order,
      start,
      Math.min(start + BATCH, EPOCH_IMAGES),
      transform,
      random,
    );
    await xs.data(); // wait for the backend to finish the batch
    xs.dispose();
    ys.dispose();
  }
  return (performance.now() - t0) / 1000;
}

async function benchAugment(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      augmentation: { type: "string", default: "band2024" },
      rounds: { type: "string", default: "3" },
    },
  });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) {
    throw new UserError(`--rounds must be a positive integer, got "${values.rounds}"`);
  }
  const augmentation = augmentationNamed(values.augmentation!);
  const backend = await initBackend();
  const { train } = await loadFashionMnist();
  const transform = (xs: tf.Tensor4D, random: () => number) => augmentBatch(xs, augmentation, random);
  await epochSeconds(train); // warm-up: kernels compiled, pages touched
  const plain: number[] = [], augmented: number[] = [];
  for (let r = 0; r < rounds; r++) {
    plain.push(await epochSeconds(train));
    augmented.push(await epochSeconds(train, transform));
  }
  const range = (xs: number[]) => `${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}`;
  console.log(
    `${backend.description}; ${EPOCH_IMAGES.toLocaleString("en-US")} images in batches of ${BATCH}, ` +
      `${rounds} rounds (s per epoch, min-max):`,
  );
  console.log(`  batches without augmentation: ${range(plain)} s`);
  console.log(`  batches with "${values.augmentation}": ${range(augmented)} s`);
  console.log(
    `  augmentation's own cost: ${(mean(augmented) - mean(plain)).toFixed(2)} s per epoch ` +
      `(${((mean(augmented) - mean(plain)) / EPOCH_IMAGES * 1e6).toFixed(1)} µs per image)`,
  );
}

if (import.meta.main) await main(benchAugment);
