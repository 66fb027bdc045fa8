import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { PCA } from "ml-pca";
import { PIXELS } from "../../lib/data/fashion_mnist.ts";
import { componentsFor, fitPca, project } from "../../lib/analysis/pca.ts";
import { seededRandom } from "../../lib/data/splits.ts";

/** Images whose pixels vary along two hidden directions with very different variances. */
function structured(count: number) {
  const random = seededRandom(11);
  const images = new Uint8Array(count * PIXELS);
  for (let i = 0; i < count; i++) {
    const a = random() * 200, b = random() * 40;
    for (let p = 0; p < PIXELS; p++) {
      const v = (p < 392 ? a : 0) + (p % 2 === 0 ? b : 0) + random() * 4;
      images[i * PIXELS + p] = Math.min(255, Math.round(v));
    }
  }
  return { images, labels: new Uint8Array(count), count };
}

Deno.test("fitPca matches ml-pca's own SVD on the same data, and projections match predict()", async () => {
  await tf.setBackend("cpu");
  const subset = structured(300);
  const fit = fitPca(subset);
  const rows = Array.from(
    { length: subset.count },
    (_, i) => Array.from(subset.images.subarray(i * PIXELS, (i + 1) * PIXELS), (v) => v / 255),
  );
  const reference = new PCA(rows, { method: "SVD", center: true });
  const expected = reference.getExplainedVariance();
  for (let k = 0; k < 5; k++) assert.ok(Math.abs(fit.explained[k] - expected[k]) < 1e-4, `component ${k}`);
  assert.ok(fit.explained[0] > 0.5, "the dominant direction carries most variance");
  const ours = project(fit, subset, 2);
  const theirs = reference.predict(rows, { nComponents: 2 }).to2DArray();
  for (let i = 0; i < 20; i++) {
    for (let c = 0; c < 2; c++) {
      // Eigenvectors are defined up to sign.
      assert.ok(Math.abs(Math.abs(ours[i][c]) - Math.abs(theirs[i][c])) < 1e-3, `row ${i} component ${c}`);
    }
  }
});

Deno.test("componentsFor finds the first component count reaching a share", () => {
  const fit = { cumulative: [0.5, 0.8, 0.9, 1], explained: [0.5, 0.3, 0.1, 0.1] } as never;
  assert.equal(componentsFor(fit, 0.5), 1);
  assert.equal(componentsFor(fit, 0.85), 3);
  assert.equal(componentsFor(fit, 1), 4);
  assert.throws(() => componentsFor(fit, 1.5), /share must be/);
});
