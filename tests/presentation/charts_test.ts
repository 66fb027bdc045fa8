import assert from "node:assert/strict";
import { learningCurvesFigure, predictionGridFigure } from "../../lib/presentation/charts.ts";

const probabilities = (top: number, p: number) =>
  Array.from({ length: 10 }, (_, k) => (k === top ? p : (1 - p) / 9));

Deno.test("predictionGridFigure: right predictions in green with their confidence, mistakes in red naming the truth", () => {
  const svg = predictionGridFigure(
    [
      { pixels: new Uint8Array(784), label: 6, probabilities: probabilities(0, 0.9) },
      { pixels: new Uint8Array(784).fill(255), label: 1, probabilities: probabilities(1, 0.97) },
    ],
    "gallery",
    "seed 7",
  );
  assert.match(svg, /seed 7; bars: the ten class probabilities/);
  assert.match(svg, /T-shirt\/top 90% \(Shirt\)/);
  assert.match(svg, /Trouser 97%</);
  assert.match(svg, /#e15759/);
  assert.match(svg, /#59a14f/);
  assert.equal((svg.match(/<image/g) ?? []).length, 2);
});

Deno.test("learningCurvesFigure: a dotted rule at the epoch of lowest validation loss, named in the subtitle", () => {
  const history = [0.5, 0.3, 0.4].map((valLoss, i) => ({
    epoch: i + 1,
    loss: 0.5 - i / 10,
    accuracy: 0.8,
    valLoss,
    valAccuracy: 0.8,
    learningRate: 1e-3,
    seconds: 1,
    imagesPerSecond: 1,
  }));
  const svg = learningCurvesFigure(history, "t", "s");
  assert.match(svg, />s; dotted: lowest validation loss \(epoch 2\)</);
  assert.equal((svg.match(/stroke-dasharray="2,3"/g) ?? []).length, 2, "one rule per panel");
  const noVal = learningCurvesFigure(history.map((h) => ({ ...h, valLoss: null, valAccuracy: null })), "t");
  assert.doesNotMatch(noVal, /dotted|stroke-dasharray/);
});
