/**
 * Principal component analysis of images (Sivakumar et al., section II, Figs. 3 and 4) with ml-pca.
 *
 * ml-pca's own covariance step is a pure-JS triple loop (60,000 x 784 x 784 multiply-adds), so we
 * compute the covariance matrix with one tfjs `matMul` on the active backend and hand it to
 * ml-pca, which does the eigendecomposition and the projection.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { PCA } from "ml-pca";
import { PIXELS, type Subset } from "../data/fashion_mnist.ts";

/** A fitted PCA: the ml-pca model plus the variance it explains. */
export interface PcaFit {
  /** The ml-pca model (centred on the training mean, pixels scaled to [0, 1]). */
  model: PCA;
  /** Share of the total variance explained by each component, largest first. */
  explained: number[];
  /** Running total of `explained`. */
  cumulative: number[];
  /** Number of images the PCA was fitted on. */
  count: number;
}

/**
 * Fit PCA on a subset's images, pixels scaled to [0, 1] and centred.
 *
 * @example
 * ```ts
 * const fit = fitPca(data.train);
 * componentsFor(fit, 0.9); // components needed for 90% of the variance
 * ```
 */
export function fitPca(subset: Subset): PcaFit {
  const { count } = subset;
  if (count < 2) throw new RangeError(`PCA needs at least 2 images, got ${count}`);
  const mean = new Float64Array(PIXELS);
  for (let i = 0; i < count; i++) {
    for (let p = 0; p < PIXELS; p++) mean[p] += subset.images[i * PIXELS + p];
  }
  for (let p = 0; p < PIXELS; p++) mean[p] /= count * 255;
  const centred = new Float32Array(count * PIXELS);
  for (let i = 0; i < count; i++) {
    for (let p = 0; p < PIXELS; p++) {
      centred[i * PIXELS + p] = subset.images[i * PIXELS + p] / 255 - mean[p];
    }
  }
  const covariance = tf.tidy(() => {
    const x = tf.tensor2d(centred, [count, PIXELS]);
    // An explicit transpose then a plain matMul: on the wasm backend this is ~40x faster than
    // matMul(x, x, transposeA = true), which takes a slow path.
    return tf.matMul(tf.transpose(x), x).div(count - 1) as tf.Tensor2D;
  });
  const rows = covariance.arraySync();
  covariance.dispose();
  const fromCovariance = new PCA(rows, { isCovarianceMatrix: true });
  const model = PCA.load({ ...fromCovariance.toJSON(), center: true, scale: false, means: Array.from(mean) });
  const explained = model.getExplainedVariance();
  return { model, explained, cumulative: model.getCumulativeVariance(), count };
}

/** The smallest number of components whose cumulative explained variance reaches `share`. */
export function componentsFor(fit: PcaFit, share: number): number {
  if (!(share > 0 && share <= 1)) throw new RangeError(`share must be in (0, 1], got ${share}`);
  const k = fit.cumulative.findIndex((c) => c >= share - 1e-12);
  return k < 0 ? fit.cumulative.length : k + 1;
}

/**
 * Project a subset's images onto the first `components` principal components: [count][components].
 * (ml-pca's `predict` multiplies by all 784 components before keeping the first few; this keeps
 * only the ones asked for.)
 */
export function project(fit: PcaFit, subset: Subset, components = 2): number[][] {
  const vectors = fit.model.getEigenvectors();
  const means = fit.model.toJSON().means;
  const basis = Array.from({ length: components }, (_, c) => vectors.getColumn(c));
  const rows: number[][] = new Array(subset.count);
  for (let i = 0; i < subset.count; i++) {
    const row = new Array<number>(components).fill(0);
    for (let p = 0; p < PIXELS; p++) {
      const v = subset.images[i * PIXELS + p] / 255 - means[p];
      for (let c = 0; c < components; c++) row[c] += v * basis[c][p];
    }
    rows[i] = row;
  }
  return rows;
}
