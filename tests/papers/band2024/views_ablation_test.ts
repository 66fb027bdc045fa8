import assert from "node:assert/strict";
import {
  ablationFigure,
  ablationHeadline,
  ablationRows,
  budgetRows,
} from "../../../lib/papers/band2024/views_ablation.ts";
import { fakeRun } from "../../analysis/fake_runs.ts";

// Test accuracy is 1 - errors/1000: 20 errors is 98%.
const runs = (errors: number[], firstValidation = 0.83) =>
  errors.map((n, i) =>
    fakeRun({
      seed: i + 1,
      errors: [["Shirt", "Coat", n]],
      curve: [[0.5, 0.8, 0.45, firstValidation], [0.3, 0.9, 0.4, 0.88]],
    })
  );

Deno.test("ablation: gains are paired by seed, so a seed-to-seed spread does not hide an effect", () => {
  const groups = {
    baseline: runs([10, 40, 70]), // 99, 96, 93 %: a 6-point spread between seeds
    "+ change": runs([5, 35, 65], 0.9), // half a point better in every seed
    "+ worse": runs([20, 30, 90]),
  };
  const [base, change, worse] = ablationRows(groups, "baseline");
  assert.equal(base.gain, 0);
  assert.ok(Math.abs(change.gain - 0.5) < 1e-9 && change.better === 3, "+0.5 in each of 3 seeds");
  assert.ok(Math.abs(change.gainMin - 0.5) < 1e-9 && Math.abs(change.gainMax - 0.5) < 1e-9);
  assert.deepEqual([change.testMin, change.testMax].map((x) => Number(x.toFixed(2))), [93.5, 99.5]);
  assert.equal(worse.better, 1, "better only in seed 2");
  assert.ok(Math.abs(change.firstValidation! - 90) < 1e-9 && Math.abs(base.firstValidation! - 83) < 1e-9);
  assert.ok(Math.abs(base.firstTraining! - 80) < 1e-9, "training accuracy after epoch 1");
  assert.ok(Math.abs(base.gap! - 2) < 1e-9, "90% training against 88% validation at the last epoch");
  assert.equal(
    ablationHeadline([base, change, worse], "baseline"),
    "+ change gains most over baseline: +0.50 points (better in 3 of 3 seeds)",
  );
});

Deno.test("ablation: when every change loses, the headline says so and names the closest", () => {
  const rows = ablationRows(
    { baseline: runs([10, 20]), "+ a": runs([30, 40]), "+ b": runs([15, 20]) },
    "baseline",
  );
  assert.equal(
    ablationHeadline(rows, "baseline"),
    "No change beats baseline on average; the closest is + b: -0.25 points (better in 0 of 2 seeds)",
  );
});

Deno.test("ablation: seeds without a baseline partner are left out of the gains; no baseline is an error", () => {
  const groups = { baseline: runs([10, 20]), "+ change": runs([0, 10, 20]) };
  const [, change] = ablationRows(groups, "baseline");
  assert.equal(change.seeds, 3);
  assert.equal(change.better, 2, "seed 3 has no baseline run");
  assert.throws(() => ablationRows(groups, "nothing"), /no runs for the baseline "nothing"/);
});

Deno.test("ablation: the figure has a dot per run and a curve per recipe", () => {
  const svg = ablationFigure({ baseline: runs([10, 20, 30]), "+ change": runs([5, 15, 25]) }, "t", "s");
  assert.match(svg, /^<svg/);
  assert.equal((svg.match(/<circle/g) ?? []).length, 6 + 2 * 2, "6 seed dots, 2 epochs x 2 recipes");
  assert.match(svg, /\+ change/);
});

Deno.test("ablation: the same changes at two budgets sit side by side; a change run at one budget only shows a dash", () => {
  const rows = budgetRows({
    small: { baseline: runs([10, 20]), "+ a": runs([30, 40]), "+ b": runs([15, 20]) },
    full: { baseline: runs([10, 20]), "+ a": runs([5, 10]) },
  }, "baseline");
  assert.deepEqual(rows.map((r) => r.change), ["+ a", "+ b"]);
  assert.equal(rows[0]["gain (pts), small"], "-2.00 (-2.00 to -2.00)");
  assert.equal(rows[0]["gain (pts), full"], "0.75 (0.50 to 1.00)");
  assert.equal(rows[0]["seeds better, full"], "2 of 2");
  assert.equal(rows[1]["seeds better, small"], "0 of 2");
  assert.equal(rows[1]["gain (pts), full"], "—");
  assert.throws(() => budgetRows({ small: { "+ a": runs([1]) } }, "baseline"), /no runs for the baseline/);
});
