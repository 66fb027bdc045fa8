import assert from "node:assert/strict";
import { PIXELS, type Subset } from "../../lib/data/fashion_mnist.ts";
import {
  classCounts,
  concatSubsets,
  permutation,
  sample,
  seededRandom,
  split602020,
  splitIndices,
  take,
  trainValidationSplit,
} from "../../lib/data/splits.ts";
import { scaleToUnit, toTensors } from "../../lib/data/tensors.ts";

/** `perClass` images of each class; image i's first pixel holds i % 256 so rows can be traced. */
function fakeSubset(perClass: number): Subset {
  const count = perClass * 10;
  const images = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 10;
    images[i * PIXELS] = i % 256;
    images[i * PIXELS + 1] = Math.floor(i / 256);
  }
  return { images, labels, count };
}
const id = (s: Subset, k: number) => s.images[k * PIXELS] + 256 * s.images[k * PIXELS + 1];

Deno.test("seededRandom is deterministic per seed and in [0, 1)", () => {
  const a = seededRandom(7), b = seededRandom(7), c = seededRandom(8);
  const xs = Array.from({ length: 1000 }, () => a());
  assert.deepEqual(xs, Array.from({ length: 1000 }, () => b()));
  assert.notDeepEqual(xs.slice(0, 5), Array.from({ length: 5 }, () => c()));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean}`);
});

Deno.test("permutation holds every index once", () => {
  const p = permutation(1000, 3);
  assert.deepEqual(Array.from(p).sort((x, y) => x - y), Array.from({ length: 1000 }, (_, i) => i));
  assert.notDeepEqual(Array.from(p.slice(0, 10)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

Deno.test("splitIndices: disjoint parts covering everything, sizes by fraction, same seed same split", () => {
  const labels = fakeSubset(100).labels;
  const parts = splitIndices(labels, [0.6, 0.2, 0.2], { seed: 1 });
  assert.deepEqual(parts.map((p) => p.length), [600, 200, 200]);
  const all = parts.flatMap((p) => Array.from(p)).sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: 1000 }, (_, i) => i));
  assert.deepEqual(splitIndices(labels, [0.6, 0.2, 0.2], { seed: 1 }), parts);
  assert.notDeepEqual(splitIndices(labels, [0.6, 0.2, 0.2], { seed: 2 })[0], parts[0]);
});

Deno.test("splitIndices: stratified parts keep every class's share exactly", () => {
  const labels = fakeSubset(50).labels;
  const [a, b] = splitIndices(labels, [0.8, 0.2], { seed: 5, stratify: true });
  assert.deepEqual(classCounts(Array.from(a, (i) => labels[i])), new Array(10).fill(40));
  assert.deepEqual(classCounts(Array.from(b, (i) => labels[i])), new Array(10).fill(10));
  // Interleaved, not grouped by class.
  assert.notDeepEqual(Array.from(a.slice(0, 5), (i) => labels[i]), [0, 0, 0, 0, 0]);
});

Deno.test("splitIndices rejects fractions that do not sum to 1", () => {
  assert.throws(() => splitIndices([0, 1], [0.5, 0.6]), /sum to 1/);
  assert.throws(() => splitIndices([0, 1], [1.2, -0.2]), /positive/);
});

Deno.test("take copies the right images and labels; out-of-range indices are an error", () => {
  const s = fakeSubset(3);
  const t = take(s, [5, 0, 29]);
  assert.deepEqual([id(t, 0), id(t, 1), id(t, 2)], [5, 0, 29]);
  assert.deepEqual(Array.from(t.labels), [5, 0, 9]);
  assert.throws(() => take(s, [30]), /outside the subset of 30/);
});

Deno.test("trainValidationSplit: Awasthi & Soni 2024's 80/20, disjoint", () => {
  const s = fakeSubset(100);
  const { train, validation } = trainValidationSplit(s, 0.2, { seed: 9, stratify: true });
  assert.equal(train.count, 800);
  assert.equal(validation.count, 200);
  const ids = new Set([...Array.from({ length: 800 }, (_, k) => id(train, k))]);
  for (let k = 0; k < 200; k++) assert.ok(!ids.has(id(validation, k)));
});

Deno.test("split602020 pools training and test sets and splits them 60:20:20", () => {
  const data = { train: fakeSubset(60), test: fakeSubset(10), sources: [] };
  const { train, validation, test } = split602020(data, { seed: 3, stratify: true });
  assert.deepEqual([train.count, validation.count, test.count], [420, 140, 140]);
  assert.deepEqual(classCounts(test.labels), new Array(10).fill(14));
  // The other reading: the training set alone, 60:20:20 (36,000/12,000/12,000 of the real 60,000).
  const alone = split602020(data, { seed: 3, stratify: true }, "train");
  assert.deepEqual([alone.train.count, alone.validation.count, alone.test.count], [360, 120, 120]);
  const parts = [alone.train, alone.validation, alone.test];
  const ids = parts.flatMap((p) => Array.from({ length: p.count }, (_, k) => id(p, k)));
  assert.equal(new Set(ids).size, 600, "each training image exactly once");
});

Deno.test("concatSubsets and sample", () => {
  const s = concatSubsets(fakeSubset(2), fakeSubset(1));
  assert.equal(s.count, 30);
  assert.equal(id(s, 20), 0);
  const small = sample(fakeSubset(20), 50, { seed: 1, stratify: true });
  assert.equal(small.count, 50);
  assert.deepEqual(classCounts(small.labels), new Array(10).fill(5));
  assert.equal(sample(fakeSubset(1), 100).count, 10);
  assert.throws(() => sample(fakeSubset(1), 0), /positive integer/);
});

Deno.test("scaleToUnit and toTensors give NHWC float images in [0, 1] and int32 labels", () => {
  assert.deepEqual(Array.from(scaleToUnit(Uint8Array.from([0, 51, 255]))), [0, 0.2, 1].map(Math.fround));
  const s = fakeSubset(1);
  s.images[PIXELS * 3 + 5] = 255;
  const { xs, ys } = toTensors(s);
  try {
    assert.deepEqual(xs.shape, [10, 28, 28, 1]);
    assert.equal(xs.dtype, "float32");
    assert.equal(ys.dtype, "int32");
    assert.deepEqual(Array.from(ys.dataSync()), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const x = xs.arraySync();
    assert.equal(x[3][0][5][0], 1);
    assert.equal(xs.max().dataSync()[0], 1);
  } finally {
    xs.dispose();
    ys.dispose();
  }
  assert.throws(
    () => toTensors({ images: new Uint8Array(10), labels: new Uint8Array(1), count: 1 }),
    /holds/,
  );
});
