/**
 * Data: the Fashion-MNIST IDX files (found, downloaded and verified), seeded splits and samples, seeded
 * randomness, tensors scaled to [0, 1], the Kaggle CSV layout through danfojs, image augmentation, and
 * atomic file writes.
 * The bottom layer: it imports nothing else from the library but `errors.ts`.
 *
 * @module
 */
export * from "./idx.ts";
export * from "./fashion_mnist.ts";
export * from "./splits.ts";
export * from "./random.ts";
export * from "./tensors.ts";
export * from "./csv.ts";
export * from "./augment.ts";
export * from "./files.ts";
