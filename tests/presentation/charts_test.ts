import assert from "node:assert/strict";
import {
  learningCurvesFigure,
  predictionGridFigure,
  seedSpreadFigure,
} from "../../lib/presentation/charts.ts";
import { textWidth } from "../../lib/presentation/plots.ts";

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

/** The text of a figure's y-axis tick labels, in order. */
function yTickLabels(svg: string): string[] {
  const group = svg.match(/aria-label="y-axis tick label"[^>]*>(.*?)<\/g>/s)?.[1] ?? "";
  return [...group.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
}

Deno.test("seedSpreadFigure: tick labels never repeat, however close the seeds are", () => {
  for (const values of [[0.8825, 0.883, 0.8836], [0.85, 0.87, 0.89], [0.5, 0.9, 0.1]]) {
    const svg = seedSpreadFigure(
      values.map((value, i) => ({ group: "ANN", seed: i + 1, value })),
      "t",
      "test accuracy",
    );
    const labels = yTickLabels(svg);
    assert.ok(labels.length >= 3, `ticks: ${labels}`);
    assert.equal(new Set(labels).size, labels.length, `repeated tick labels: ${labels}`);
  }
});

Deno.test("predictionGridFigure: columns are wider than the longest caption, so neighbours never overlap", () => {
  const items = Array.from({ length: 6 }, () => ({
    pixels: new Uint8Array(784),
    label: 0, // T-shirt/top, the longest name, as the truth of every mistake
    probabilities: probabilities(9, 1), // predicted Ankle boot at 100%
  }));
  const svg = predictionGridFigure(items, "mistakes");
  const caption = "Ankle boot 100% (T-shirt/top)";
  assert.match(svg, new RegExp(caption.replace(/[()/]/g, "\\$&")));
  const panel = svg.match(/<svg[^>]*class="plot[^"]*"[^>]*width="(\d+)"/)?.[1] ??
    svg.match(/<g transform="translate\(\d+,\d+\)"><svg[^>]*width="(\d+(\.\d+)?)"/)?.[1];
  assert.ok(panel !== undefined, "the Plot panel's width");
  assert.ok(Number(panel) / 6 > textWidth(caption, 10, false), `${panel} / 6 columns`);
});
