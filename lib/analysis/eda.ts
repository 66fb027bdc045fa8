/**
 * Exploratory data analysis of Fashion-MNIST (Sivakumar et al., section II): dataset shapes, class
 * balance, pixel intensities, class means and PCA variance thresholds. Their figures are in
 * `presentation/eda_figures.ts`.
 *
 * @module
 */
import "../data/quiet_deprecations.ts"; // before danfojs-node
import * as dfd from "danfojs-node";
import { CLASS_NAMES, type FashionMnist, IMAGE_SIZE, PIXELS, type Subset } from "../data/fashion_mnist.ts";
import { classCounts } from "../data/splits.ts";
import { componentsFor, type PcaFit } from "./pca.ts";

/** Shapes of the training and test sets as a danfojs DataFrame: one row per set. */
export function datasetShapes(data: FashionMnist): dfd.DataFrame {
  const row = (set: string, s: Subset) => {
    let min = 255;
    let max = 0;
    for (const v of s.images) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    return [set, s.count, IMAGE_SIZE, IMAGE_SIZE, 1, `${min}-${max}`, new Set(s.labels).size];
  };
  return new dfd.DataFrame([row("train", data.train), row("test", data.test)], {
    columns: ["set", "images", "height", "width", "channels", "pixel range", "classes"],
  });
}

/** Per-class counts of several named subsets as a danfojs DataFrame, one row per class. */
export function classBalanceFrame(subsets: Record<string, Subset>): dfd.DataFrame {
  return new dfd.DataFrame(classBalance(subsets));
}

/** Per-class counts of several named subsets, one row per class (for a table or a chart). */
export function classBalance(subsets: Record<string, Subset>): Record<string, string | number>[] {
  const counts = Object.fromEntries(
    Object.entries(subsets).map(([name, s]) => [name, classCounts(s.labels.subarray(0, s.count))]),
  );
  return CLASS_NAMES.map((name, label) => ({
    label,
    class: name,
    ...Object.fromEntries(Object.entries(counts).map(([set, c]) => [set, c[label]])),
  }));
}

/** Number of pixels at each intensity 0-255 over a subset's images. */
export function pixelHistogram(subset: Subset): number[] {
  const counts = new Array(256).fill(0);
  const pixels = subset.images.subarray(0, subset.count * PIXELS);
  for (let i = 0; i < pixels.length; i++) counts[pixels[i]]++;
  return counts;
}

/** The mean image of each class (pixel values 0-255, as floats), indexed by label. */
export function classMeanImages(subset: Subset): Float64Array[] {
  const sums = CLASS_NAMES.map(() => new Float64Array(PIXELS));
  const counts = new Array(CLASS_NAMES.length).fill(0);
  for (let i = 0; i < subset.count; i++) {
    const label = subset.labels[i];
    counts[label]++;
    const sum = sums[label];
    for (let p = 0; p < PIXELS; p++) sum[p] += subset.images[i * PIXELS + p];
  }
  return sums.map((sum, label) => sum.map((v) => (counts[label] ? v / counts[label] : 0)));
}

/** Number of components reaching each share of the variance, for a table. */
export function varianceThresholds(fit: PcaFit, shares = [0.8, 0.9, 0.95]) {
  return shares.map((share) => ({
    "variance explained": `${Math.round(share * 100)}%`,
    components: componentsFor(fit, share),
    "of 784 pixels": `${((100 * componentsFor(fit, share)) / 784).toFixed(1)}%`,
  }));
}
