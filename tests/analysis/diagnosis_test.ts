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

/** A hand-made history: one record per (train acc, val acc, train loss, val loss), 10 s an epoch. */
function curve(rows: [number, number, number, number][]) {
  return rows.map(([accuracy, valAccuracy, loss, valLoss], i) => ({
    epoch: i + 1,
    accuracy,
    valAccuracy,
    loss,
    valLoss,
    learningRate: 1e-3,
    seconds: 10,
    imagesPerSecond: 4800,
  }));
}

Deno.test("classifyEpochs: the paper's three rules, epoch by epoch, with 'in between' when none applies", async () => {
  const { classifyEpochs, overfittingFrom } = await import("../../lib/analysis/diagnosis.ts");
  const fits = classifyEpochs(curve([
    [0.70, 0.78, 0.90, 0.62], // both low: underfitting
    [0.87, 0.88, 0.36, 0.33], // neither low nor high: in between
    [0.91, 0.905, 0.25, 0.27], // both high and close, losses close: good fit
    [0.95, 0.92, 0.14, 0.24], // high, 3 points apart, validation loss 1.7x: overfitting
    [0.99, 0.92, 0.03, 0.40],
  ]));
  assert.deepEqual(fits.map((f) => f.state), [
    "underfitting",
    "in between",
    "good fit",
    "overfitting",
    "overfitting",
  ]);
  assert.equal(overfittingFrom(fits), 4);
  assert.equal(overfittingFrom(fits.slice(0, 3)), null, "a run that ends in a good fit");
  assert.ok(Math.abs(fits[3].gap - 0.03) < 1e-12 && Math.abs(fits[3].lossRatio - 0.24 / 0.14) < 1e-12);
});

Deno.test("replayEarlyStopping: stops after `patience` epochs without a better validation loss", async () => {
  const { replayEarlyStopping } = await import("../../lib/analysis/diagnosis.ts");
  const history = curve([
    [0.85, 0.86, 0.40, 0.38],
    [0.89, 0.89, 0.30, 0.31],
    [0.92, 0.90, 0.22, 0.28], // best validation loss
    [0.94, 0.91, 0.17, 0.29],
    [0.96, 0.90, 0.12, 0.31],
    [0.97, 0.90, 0.09, 0.35], // third epoch without improvement: stop here with patience 3
    [0.98, 0.89, 0.07, 0.40],
    [0.99, 0.89, 0.05, 0.45],
  ]);
  const stop = replayEarlyStopping(history, 3);
  assert.deepEqual(
    [
      stop.stopEpoch,
      stop.bestEpoch,
      stop.valAccuracyAtBest,
      stop.valAccuracyAtStop,
      stop.epochsSaved,
      stop.secondsSaved,
    ],
    [6, 3, 0.90, 0.90, 2, 20],
  );
  assert.equal(replayEarlyStopping(history, 10).stopEpoch, 8, "never triggers: the whole run");
  assert.equal(replayEarlyStopping(history, 2, "valAccuracy").bestEpoch, 4);
  assert.throws(() => replayEarlyStopping(history, 0), /patience/);
});
