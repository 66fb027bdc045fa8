import assert from "node:assert/strict";
import { diagnoseFit, summarize } from "../../lib/analysis/diagnosis.ts";
import type { EpochRecord } from "../../lib/training/fit.ts";

const h = (rows: [number, number, number, number][]): EpochRecord[] =>
  rows.map(([loss, accuracy, valLoss, valAccuracy], i) => ({
    epoch: i + 1,
    loss,
    accuracy,
    valLoss,
    valAccuracy,
    learningRate: 1e-3,
    seconds: 1,
    imagesPerSecond: 1,
  }));

Deno.test("diagnoseFit: good fit, overfitting by gap, overfitting by rising validation loss, underfitting", () => {
  assert.equal(diagnoseFit(h([[0.5, 0.82, 0.45, 0.84], [0.3, 0.89, 0.33, 0.88]])).verdict, "good fit");
  const gap = diagnoseFit(h([[0.3, 0.9, 0.35, 0.88], [0.1, 0.97, 0.36, 0.906]]));
  assert.equal(gap.verdict, "overfitting");
  assert.ok(Math.abs(gap.accuracyGap - 0.064) < 1e-12);
  const rising = diagnoseFit(h([[0.3, 0.89, 0.30, 0.885], [0.25, 0.9, 0.34, 0.89]]));
  assert.equal(rising.verdict, "overfitting");
  assert.equal(rising.bestEpoch, 1);
  assert.match(rising.reasons[0], /13% above its minimum/);
  assert.equal(diagnoseFit(h([[1.2, 0.6, 1.1, 0.62]])).verdict, "underfitting");
  assert.throws(() => diagnoseFit([]), /validation/);
});

Deno.test("summarize: mean, sample standard deviation, range", () => {
  const s = summarize([0.88, 0.9, 0.89]);
  assert.ok(Math.abs(s.mean - 0.89) < 1e-12);
  assert.ok(Math.abs(s.std - 0.01) < 1e-12);
  assert.deepEqual([s.n, s.min, s.max], [3, 0.88, 0.9]);
  assert.equal(summarize([1]).std, 0);
  assert.throws(() => summarize([]), /at least one/);
});

Deno.test("confusionHeadline names the lowest-recall class and where its images go", async () => {
  const { confusionHeadline } = await import("../../lib/presentation/charts.ts");
  const m: number[][] = Array.from(
    { length: 10 },
    (_, t) => Array.from({ length: 10 }, (_, p) => (t === p ? 90 : 0)),
  );
  m[6] = [20, 0, 10, 0, 5, 0, 60, 0, 0, 0]; // Shirt: 60/95 recall, then T-shirt/top 20, Pullover 10, Coat 5
  assert.equal(
    confusionHeadline(m),
    "Shirt is the hardest class (63% recall), mistaken for T-shirt/top, Pullover and Coat",
  );
});
