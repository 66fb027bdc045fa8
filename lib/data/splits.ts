/**
 * Seeded, deterministic subsets of Fashion-MNIST: shuffles, samples, the papers' splits, and
 * stratification on request. The same seed gives the same split on every machine.
 *
 * @module
 */
import { CLASS_NAMES, type FashionMnist, PIXELS, type Subset } from "./fashion_mnist.ts";

/** Options shared by every split. */
export interface SplitOptions {
  /** Seed of the shuffle (default 42). */
  seed?: number;
  /** Keep each class's share the same in every part (default false). */
  stratify?: boolean;
}

/** A small, fast, seeded PRNG (mulberry32): returns a function giving floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates shuffle of `items` in place with a seeded PRNG; returns `items`. */
export function shuffleInPlace<T extends { length: number; [i: number]: number }>(
  items: T,
  seed: number,
): T {
  const random = seededRandom(seed);
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = items[i];
    items[i] = items[j];
    items[j] = t;
  }
  return items;
}

/** A seeded permutation of 0..n-1. */
export function permutation(n: number, seed: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return shuffleInPlace(order, seed);
}

/** The images and labels at `indices`, copied, in that order. */
export function take(subset: Subset, indices: ArrayLike<number>): Subset {
  const images = new Uint8Array(indices.length * PIXELS);
  const labels = new Uint8Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!(i >= 0 && i < subset.count)) {
      throw new RangeError(`index ${i} is outside the subset of ${subset.count} images`);
    }
    images.set(subset.images.subarray(i * PIXELS, (i + 1) * PIXELS), k * PIXELS);
    labels[k] = subset.labels[i];
  }
  return { images, labels, count: indices.length };
}

/** Two subsets joined, `a` first. */
export function concatSubsets(a: Subset, b: Subset): Subset {
  const images = new Uint8Array((a.count + b.count) * PIXELS);
  images.set(a.images.subarray(0, a.count * PIXELS));
  images.set(b.images.subarray(0, b.count * PIXELS), a.count * PIXELS);
  const labels = new Uint8Array(a.count + b.count);
  labels.set(a.labels.subarray(0, a.count));
  labels.set(b.labels.subarray(0, b.count), a.count);
  return { images, labels, count: a.count + b.count };
}

/** Number of images of each class, indexed by label. */
export function classCounts(labels: ArrayLike<number>): number[] {
  const counts = new Array(CLASS_NAMES.length).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts;
}

/** Sizes of parts of `n` items by `fractions` (summing to 1); the last part takes the rest. */
function partSizes(n: number, fractions: number[]): number[] {
  const sizes = fractions.map((f) => Math.round(f * n));
  sizes[sizes.length - 1] = n - sizes.slice(0, -1).reduce((a, b) => a + b, 0);
  return sizes;
}

function checkFractions(fractions: number[]): void {
  const sum = fractions.reduce((a, b) => a + b, 0);
  if (fractions.length < 1 || fractions.some((f) => !(f > 0)) || Math.abs(sum - 1) > 1e-9) {
    throw new RangeError(
      `split fractions must be positive and sum to 1, got [${fractions.join(", ")}] (sum ${sum})`,
    );
  }
}

/**
 * Split indices 0..labels.length-1 into parts of the given fractions after a seeded shuffle.
 * With `stratify`, each class is split separately so every part keeps the class shares, and
 * each part is then shuffled again so classes are interleaved.
 */
export function splitIndices(
  labels: ArrayLike<number>,
  fractions: number[],
  options: SplitOptions = {},
): Uint32Array[] {
  checkFractions(fractions);
  const seed = options.seed ?? 42;
  const n = labels.length;
  if (!options.stratify) {
    const order = permutation(n, seed);
    const parts: Uint32Array[] = [];
    let start = 0;
    for (const size of partSizes(n, fractions)) {
      parts.push(order.slice(start, start + size));
      start += size;
    }
    return parts;
  }
  const byClass: number[][] = CLASS_NAMES.map(() => []);
  for (let i = 0; i < n; i++) byClass[labels[i]].push(i);
  const parts: number[][] = fractions.map(() => []);
  byClass.forEach((members, c) => {
    const shuffled = shuffleInPlace(Uint32Array.from(members), seed + 7919 * (c + 1));
    let start = 0;
    partSizes(members.length, fractions).forEach((size, p) => {
      for (let k = start; k < start + size; k++) parts[p].push(shuffled[k]);
      start += size;
    });
  });
  return parts.map((part, p) => shuffleInPlace(Uint32Array.from(part), seed + 104729 * (p + 1)));
}

/** Split a subset into parts by fractions (see {@link splitIndices}). */
export function splitSubset(subset: Subset, fractions: number[], options: SplitOptions = {}): Subset[] {
  return splitIndices(subset.labels.subarray(0, subset.count), fractions, options)
    .map((indices) => take(subset, indices));
}

/**
 * A seeded random sample of `n` images (all of them, shuffled, if `n` is at least the count).
 * Profiles use it to make small, representative slices.
 */
export function sample(subset: Subset, n: number, options: SplitOptions = {}): Subset {
  if (!(Number.isInteger(n) && n > 0)) {
    throw new RangeError(`sample size must be a positive integer, got ${n}`);
  }
  if (n >= subset.count) return take(subset, permutation(subset.count, options.seed ?? 42));
  return splitSubset(subset, [n / subset.count, 1 - n / subset.count], options)[0];
}

/**
 * Hold out a validation part of a training set: the plain split most papers use
 * (Awasthi & Soni 2024, section 3: 80/20 of the 60,000 training images, so `validationFraction` 0.2).
 */
export function trainValidationSplit(
  train: Subset,
  validationFraction = 0.2,
  options: SplitOptions = {},
): { train: Subset; validation: Subset } {
  const [rest, validation] = splitSubset(train, [1 - validationFraction, validationFraction], options);
  return { train: rest, validation };
}

/**
 * Sivakumar et al.'s 60:20:20 train/validation/test split (section IV). The paper does not say what it
 * split: its section II states the dataset has 70,000 images, so by default we pool the official training
 * and test sets (70,000) and split them 42,000 / 14,000 / 14,000; its data section counts 60,000, so
 * `pool: "train"` splits the official training set alone, 36,000 / 12,000 / 12,000 (the sensitivity row).
 */
export function split602020(
  data: FashionMnist,
  options: SplitOptions = {},
  pool: "all" | "train" = "all",
): { train: Subset; validation: Subset; test: Subset } {
  const [train, validation, test] = splitSubset(
    pool === "all" ? concatSubsets(data.train, data.test) : data.train,
    [0.6, 0.2, 0.2],
    options,
  );
  return { train, validation, test };
}
