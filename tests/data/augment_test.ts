import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/select.ts";
import {
  affineTransform,
  applyAffine,
  augmentationNamed,
  AUGMENTATIONS,
  augmentBatch,
  drawParams,
  IDENTITY,
  NO_AUGMENTATION,
} from "../../lib/data/augment.ts";
import { seededRandom } from "../../lib/data/splits.ts";
import { UserError } from "../../lib/errors.ts";

await initBackend();

/** A batch of distinct, asymmetric test images: pixel (r, c) of image i is a different value everywhere. */
function batch(n = 3, h = 8, w = 8): tf.Tensor4D {
  const values = Float32Array.from({ length: n * h * w }, (_, k) => ((k * 37) % 101) / 100);
  return tf.tensor4d(values, [n, h, w, 1]);
}

const close = (a: tf.Tensor, b: tf.Tensor, tolerance: number) => {
  const diff = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
  assert.ok(diff <= tolerance, `max difference ${diff} > ${tolerance}`);
};

Deno.test("augment: identity parameters return the input exactly", () => {
  const x = batch();
  const out = applyAffine(x, [IDENTITY, IDENTITY, IDENTITY]);
  assert.deepEqual(Array.from(out.dataSync()), Array.from(x.dataSync()));
  assert.equal(augmentBatch(x, NO_AUGMENTATION, Math.random), x, "nothing to do: the same tensor");
  tf.dispose([x, out]);
});

Deno.test("augment: a horizontal flip equals the image reversed left to right", () => {
  const x = batch();
  const flip = { ...IDENTITY, flip: true };
  const out = applyAffine(x, [flip, flip, flip]);
  assert.deepEqual(Array.from(out.dataSync()), Array.from(tf.reverse(x, 2).dataSync()));
  tf.dispose([x, out]);
});

Deno.test("augment: an integer shift equals the translated image, with the fill value where nothing comes in", () => {
  const x = batch(1, 6, 6);
  const rows = x.arraySync()[0].map((row) => row.map((p) => p[0]));
  const out = applyAffine(x, [{ ...IDENTITY, rowShift: 2, colShift: -1 }], {
    fillMode: "constant",
    fillValue: 0.5,
  });
  const got = out.arraySync()[0].map((row) => row.map((p) => p[0]));
  for (let r = 0; r < 6; r++) {
    for (let c = 0; c < 6; c++) {
      const [sr, sc] = [r + 2, c - 1]; // output (r, c) samples input (r + rowShift, c + colShift)
      const want = sr < 6 && sc >= 0 ? rows[sr][sc] : 0.5;
      assert.ok(Math.abs(got[r][c] - want) < 1e-6, `(${r}, ${c}): ${got[r][c]} vs ${want}`);
    }
  }
  tf.dispose([x, out]);
});

Deno.test("augment: a 90-degree rotation of a square image is its transpose flipped left to right", () => {
  const x = batch(2, 7, 7);
  const quarter = { ...IDENTITY, rotation: 90 };
  const out = applyAffine(x, [quarter, quarter]);
  const expected = tf.reverse(tf.transpose(x, [0, 2, 1, 3]), 2);
  close(out, expected, 1e-5); // cos(90°) is 6e-17, not 0: bilinear weights within rounding
  tf.dispose([x, out, expected]);
});

Deno.test("augment: the same seed gives the same batch; another seed another one", () => {
  const x = batch(4, 28, 28);
  const aug = augmentationNamed("band2024");
  const a = augmentBatch(x, aug, seededRandom(7));
  const b = augmentBatch(x, aug, seededRandom(7));
  const c = augmentBatch(x, aug, seededRandom(8));
  assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
  assert.notDeepEqual(Array.from(a.dataSync()), Array.from(c.dataSync()));
  assert.deepEqual(a.shape, x.shape);
  tf.dispose([x, a, b, c]);
});

Deno.test("augment: drawn transforms stay inside the ranges, and every range is off by default", () => {
  const aug = augmentationNamed("band2024");
  const random = seededRandom(3);
  let flips = 0;
  for (let i = 0; i < 500; i++) {
    const p = drawParams(aug, 28, 28, random);
    assert.ok(Math.abs(p.rotation) <= 15 && Math.abs(p.shear) <= 10);
    assert.ok(Math.abs(p.rowShift) <= 2.8 && Math.abs(p.colShift) <= 2.8);
    assert.ok(p.rowZoom >= 0.9 && p.rowZoom <= 1.1 && p.colZoom >= 0.9 && p.colZoom <= 1.1);
    flips += p.flip ? 1 : 0;
  }
  assert.ok(flips > 200 && flips < 300, `${flips} flips in 500`);
  assert.deepEqual(drawParams(NO_AUGMENTATION, 28, 28, seededRandom(1)), IDENTITY);
  assert.deepEqual(affineTransform(IDENTITY, 28, 28), [1, 0, 0, 0, 1, 0, 0, 0]);
});

Deno.test("augment: an unknown augmentation name is a user error that lists the known ones", () => {
  assert.throws(
    () => augmentationNamed("fancy"),
    (e) => e instanceof UserError && e.message.includes(Object.keys(AUGMENTATIONS).join(", ")),
  );
});

Deno.test("augment: a batch of different transforms gives the same images on wasm and on cpu", async () => {
  const x = batch(3, 28, 28);
  const random = seededRandom(5);
  const params = [0, 1, 2].map(() => drawParams(augmentationNamed("band2024"), 28, 28, random));
  const onWasm = applyAffine(x, params).dataSync().slice();
  const backend = tf.getBackend();
  await tf.setBackend("cpu");
  try {
    const xCpu = tf.tensor4d(x.dataSync(), x.shape);
    const onCpu = applyAffine(xCpu, params).dataSync();
    let diff = 0;
    onWasm.forEach((v, i) => diff = Math.max(diff, Math.abs(v - onCpu[i])));
    assert.ok(diff < 1e-5, `wasm and cpu differ by ${diff}`);
  } finally {
    await tf.setBackend(backend);
  }
});

Deno.test("augment: a run config with augmentation trains, differs from one without, and repeats exactly", async () => {
  const { experiment } = await import("../../lib/training/experiments.ts");
  const { runExperiment } = await import("../../lib/training/runs.ts");
  const dir = await Deno.makeTempDir();
  try {
    const base = experiment("002-ann", "smoke", { trainLimit: 300, evalLimit: 100, epochs: 1 });
    const quiet = { dir, quiet: true, checkpoint: false, log: () => {} };
    const plain = await runExperiment(base, quiet);
    const augmented = await runExperiment({ ...base, augmentation: "band2024" }, quiet);
    const again = await runExperiment({ ...base, augmentation: "band2024" }, { ...quiet, force: true });
    assert.notEqual(augmented.key, plain.key);
    assert.notEqual(augmented.history[0].loss, plain.history[0].loss);
    assert.equal(again.history[0].loss, augmented.history[0].loss);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
