import assert from "node:assert/strict";
import { fakeHistory } from "../../analysis/fake_runs.ts";
import {
  curvesOverlayFigure,
  earlyStoppingRows,
  fitTimelineFigure,
  lastEpochsRows,
} from "../../../lib/papers/awasthi2024/views.ts";
import type { RunResult } from "../../../lib/training/store.ts";

const history = fakeHistory;

Deno.test("fit views: the fit timeline draws one cell per epoch, coloured by state, one strip per run", () => {
  const svg = fitTimelineFigure([
    { label: "A", states: ["in between", "good fit", "overfitting"] },
    { label: "B", states: ["underfitting", "good fit"] },
  ], "t");
  const cells = [...svg.matchAll(/<rect fill="(#[0-9a-f]{6})" height="[\d.]+" y="([\d.]+)"/g)];
  const [grey, green, red, blue] = ["#d9d9d9", "#59a14f", "#e15759", "#9c9ede"];
  assert.deepEqual(cells.map((m) => m[1]), [grey, green, red, blue, green], "one cell per epoch, by state");
  assert.equal(new Set(cells.map((m) => m[2])).size, 2, "one strip per run");
  assert.match(svg, />A</);
  assert.match(svg, />overfitting</, "the legend names the states");
});

Deno.test("fit views: the overlay marks each model's best epoch and names it in the legend", () => {
  const svg = curvesOverlayFigure([
    { label: "A", history: history([0.5, 0.3, 0.35]) },
    { label: "B", history: history([0.6, 0.5, 0.4]) },
  ], "t");
  assert.match(svg, /<svg/);
  assert.match(svg, />A</);
  assert.match(svg, />B</);
});

Deno.test("fit views: early stopping replayed counts every epoch's seconds, not only the last process's", () => {
  const run = {
    config: { seed: 1 },
    history: history([0.5, 0.3, 0.35, 0.4, 0.45, 0.5]).map((h) => ({ ...h, seconds: 60 })),
    timing: { trainSeconds: 60 }, // resumed before the last epoch: the finishing process trained one
  } as unknown as RunResult;
  const [row] = earlyStoppingRows({ A: [run] }, 2);
  assert.equal(row["stops after epoch"], 4);
  assert.equal(row["best epoch"], 2);
  assert.equal(row["epochs saved"], 2);
  assert.equal(row["time saved"], "2 of 6 min");
});

Deno.test("fit views: the last epoch beside the mean and range of the last N epochs", () => {
  // validation accuracy 0.8 throughout; training accuracy 0.80, 0.81, 0.82, 0.83
  const run = { config: { seed: 2 }, history: history([0.5, 0.4, 0.3, 0.2]) } as unknown as RunResult;
  run.history[3] = { ...run.history[3], valAccuracy: 0.7 }; // the last epoch dips
  const [row] = lastEpochsRows({ A: [run] }, 3);
  assert.equal(row["val. acc. at the end (%)"], 70);
  assert.equal(row["val. acc., last 3 epochs (%)"], "76.67 (70.00-80.00)");
  assert.equal(row["gap at the end (pts)"], 13);
  assert.equal(row["gap, last 3 epochs (pts)"], 5.33); // (1 + 2 + 13) / 3
});
