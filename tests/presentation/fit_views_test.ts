import assert from "node:assert/strict";
import { bestEpoch, spans } from "../../lib/presentation/fit_views.ts";
import type { EpochRecord } from "../../lib/training/fit.ts";

const history = (valLosses: number[]): EpochRecord[] =>
  valLosses.map((valLoss, i) => ({
    epoch: i + 1,
    loss: 1 / (i + 1),
    accuracy: 0.8 + i / 100,
    valLoss,
    valAccuracy: 0.8,
    learningRate: 1e-3,
    seconds: 1,
    imagesPerSecond: 1,
  }));

Deno.test("fit views: the best epoch is the one of lowest validation loss; states read as spans", () => {
  assert.equal(bestEpoch(history([0.5, 0.3, 0.35, 0.4])), 2);
  assert.equal(
    spans(["in between", "in between", "good fit", "overfitting", "overfitting"]),
    "1-2: in between; 3: good fit; 4-5: overfitting",
  );
});
