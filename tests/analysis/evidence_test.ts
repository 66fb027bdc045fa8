import assert from "node:assert/strict";
import { endWindow, runMeasure, runTest, settledMeasure } from "../../lib/analysis/evidence.ts";
import { checkFact, maxCorrelation } from "../../lib/analysis/facts.ts";
import { fakeRun } from "./fake_runs.ts";
import type { RunTest } from "../../lib/analysis/catalogue.ts";

const never = () => {
  throw new Error("no other run expected");
};

Deno.test("evidence: accuracies and gaps in points, F1 per class from the confusion matrix", () => {
  const run = fakeRun({ errors: [["Shirt", "T-shirt/top", 30], ["Coat", "Pullover", 10]] });
  assert.equal(runMeasure(run, "test-accuracy"), 96);
  assert.ok(Math.abs(runMeasure(run, "test-error-rate") - 4) < 1e-9);
  assert.ok(Math.abs(runMeasure(run, "train-val-gap") - 4) < 1e-9);
  assert.ok(Math.abs(runMeasure(run, "train-test-gap") - -6) < 1e-9);
  assert.ok(Math.abs(runMeasure(run, "first-val-accuracy") - 83) < 1e-9, "validation after epoch 1");
  assert.ok(Math.abs(runMeasure(run, "first-train-accuracy") - 80) < 1e-9, "training over epoch 1");
  assert.equal(runMeasure(run, "class-recall", "Shirt"), 0.7);
  assert.ok(runMeasure(run, "class-f1", "Shirt") < runMeasure(run, "class-f1", "Bag"));
  assert.throws(() => runMeasure(run, "class-f1"), /needs a class/);
  assert.throws(() => runMeasure(run, "class-f1", "Shirts"), /unknown class "Shirts"/);
});

Deno.test("evidence: confusion tests read the paper's way (top-k, garments only, clusters)", () => {
  const run = fakeRun({
    errors: [["Pullover", "Shirt", 8], ["Pullover", "Coat", 6], ["Bag", "Sandal", 2], [
      "Shirt",
      "T-shirt/top",
      9,
    ]],
  });
  assert.deepEqual(runTest(run, { test: "confuses", class: "Pullover", with: ["Coat"] }, never).holds, false);
  assert.deepEqual(runTest(run, { test: "confuses", class: "Pullover", with: ["Coat"], top: 2 }, never), {
    holds: true,
    seen: "Shirt/Coat",
  });
  const garments = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Shirt"];
  assert.equal(runTest(run, { test: "no-errors-between", from: ["Bag"], to: garments }, never).holds, true);
  assert.equal(runTest(run, { test: "no-errors-between", from: ["Bag"], to: ["Sandal"] }, never).seen, "2");
  const upper = ["T-shirt/top", "Pullover", "Coat", "Shirt"];
  assert.deepEqual(runTest(run, { test: "errors-within", classes: upper, share: 0.5 }, never), {
    holds: true,
    seen: "92%",
  });
  assert.deepEqual(runTest(run, { test: "lowest-f1", class: "Pullover" }, never), {
    holds: false,
    seen: "Shirt",
  });
  assert.equal(
    runTest(run, { test: "f1-at-least", classes: ["Trouser", "Sneaker"], min: 0.97 }, never).holds,
    true,
  );
});

Deno.test("evidence: curve tests on the history, comparisons on the same seed's other run", () => {
  const run = fakeRun();
  assert.deepEqual(runTest(run, { test: "val-loss-min-between", from: 2, to: 2 }, never), {
    holds: true,
    seen: "min at epoch 2",
  });
  assert.equal(runTest(run, { test: "rises-until", curve: "val", epoch: 3 }, never).holds, true);
  const dip = fakeRun({ curve: [[0.5, 0.97, 0.4, 0.9], [0.1, 0.995, 0.4, 0.9], [0.2, 0.98, 0.4, 0.9]] });
  assert.equal(runTest(dip, { test: "rises-until", curve: "train", epoch: 3 }, never).holds, false);
  assert.deepEqual(runTest(dip, { test: "rises-until", curve: "train", epoch: 3, within: 1 }, never), {
    holds: false,
    seen: "falls 1.5 pts below its best so far (epoch 3)",
  });
  assert.equal(runTest(dip, { test: "rises-until", curve: "train", epoch: 3, within: 2 }, never).holds, true);
  assert.equal(
    runTest(run, { test: "rises-until", curve: "val", epoch: 3, within: 0 }, never).seen,
    "never falls",
  );
  assert.equal(runTest(run, { test: "plateau-by", curve: "train", epoch: 2, within: 3 }, never).holds, false);
  assert.deepEqual(runTest(run, { test: "plateau-by", curve: "val", epoch: 15, within: 1 }, never), {
    holds: false,
    seen: "the run has 3 epochs",
  });
  assert.equal(runTest(run, { test: "gap-at-most-until", epoch: 2, max: 1.5 }, never).holds, true);
  assert.equal(runTest(run, { test: "mostly-by", curve: "train", epoch: 2, share: 0.5 }, never).holds, true);
  const worse = fakeRun({ errors: [["Shirt", "Coat", 50]] });
  const compare = { test: "compare", measure: "test-accuracy", other: "b", relation: ">" } as const;
  assert.equal(runTest(run, compare, () => worse).holds, true);
  assert.equal(runTest(worse, compare, () => run).holds, false);
  const extreme: RunTest = { test: "extreme", measure: "test-accuracy", among: ["b"], which: "min" };
  assert.equal(runTest(worse, extreme, () => run).holds, true);
  assert.equal(runTest(run, { test: "same-predictions", other: "b" }, () => worse).holds, true);
});

Deno.test("evidence: one curve above another at every epoch, and which of two curves is steadier", () => {
  const run = fakeRun(); // validation accuracy 83, 85, 86
  const low = fakeRun({ curve: [[0.5, 0.8, 0.5, 0.09], [0.4, 0.85, 0.4, 0.855], [0.3, 0.9, 0.4, 0.85]] });
  const above = { test: "above-throughout", curve: "val", other: "b" } as const;
  assert.deepEqual(runTest(run, above, () => low), {
    holds: false,
    seen: "not above at 1 of 3 epochs (first: epoch 2, 85.00 vs 85.50%)",
    lead: -0.5,
  });
  assert.equal(runTest(run, { ...above, from: 3 }, () => low).holds, true);
  assert.equal(runTest(run, { ...above, from: 3 }, () => low).seen, "above at every epoch 3-3");
  assert.equal(runTest(low, { ...above, from: 1 }, () => run).holds, false, "epoch 1: 9 vs 83");
  const steadier = { test: "steadier", curve: "val", other: "b", from: 1 } as const;
  // changes: run 2 and 1 (mean 1.5 pts); low 76.5 and 0.5 (38.5); from epoch 2, low 0.5 against run's 1
  assert.deepEqual(runTest(run, steadier, () => low), {
    holds: true,
    seen: "1.50 vs 38.50 pts per epoch from epoch 1",
    lead: 37,
  });
  assert.equal(runTest(run, { ...steadier, from: 2 }, () => low).holds, false);
  assert.deepEqual(runTest(run, { ...steadier, from: 3 }, () => low), {
    holds: false,
    seen: "the runs have 3 epochs, no changes from epoch 3",
  }, "too short a run (a smoke run) holds nothing and says why");
  assert.deepEqual(runTest(run, { ...above, from: 4 }, () => low), {
    holds: false,
    seen: "the runs have 3 epochs, none from epoch 4",
  });
});

Deno.test("evidence: maxCorrelation finds the largest off-diagonal correlation", () => {
  const rows = [[1, 2, 0], [2, 4, 1], [3, 6, 0], [4, 8, 1]];
  assert.ok(Math.abs(maxCorrelation(rows) - 1) < 1e-12);
  assert.ok(maxCorrelation([[1, 1], [-1, 1], [1, -1], [-1, -1]]) < 1e-12);
});

Deno.test("evidence: the largest confusion pair sums both directions", () => {
  const run = fakeRun({
    errors: [["Shirt", "T-shirt/top", 9], ["T-shirt/top", "Shirt", 6], ["Coat", "Pullover", 12]],
  });
  const test: RunTest = { test: "largest-confusion-pair", classes: ["Shirt", "T-shirt/top"] };
  assert.deepEqual(runTest(run, test, never), { holds: true, seen: "T-shirt/top<->Shirt (15)" });
});

Deno.test("evidence: counts of a whole model and of one layer (all, trainable, kernel, biases)", async () => {
  const { initBackend } = await import("../../lib/backend/select.ts");
  const { countMeasure } = await import("../../lib/analysis/facts.ts");
  await initBackend();
  assert.equal(await countMeasure("trainable-params", "001-enhanced"), 422474);
  assert.equal(await countMeasure("non-trainable-params", "001-enhanced"), 448);
  assert.equal(await countMeasure("layer-params", "001-enhanced", 1), 128); // batch norm over 32 maps: 4 each
  assert.equal(await countMeasure("layer-trainable-params", "001-enhanced", 1), 64); // scale and shift
  assert.equal(await countMeasure("layer-kernel", "001-enhanced", 0), 288);
  assert.equal(await countMeasure("layer-biases", "001-enhanced", 0), 32);
  await assert.rejects(() => countMeasure("layer-params", "001-enhanced", 99), /needs a layer index/);
  // Keras's summary sizes: MiB and KiB of float32 weights, which it calls MB and KB.
  assert.equal(await countMeasure("trainable-mib", "001-enhanced"), 422474 * 4 / 2 ** 20);
  assert.equal(await countMeasure("non-trainable-kib", "001-enhanced"), 1.75);
  assert.ok(Math.abs(await countMeasure("weights-mb", "001-enhanced") - 422922 * 4 / 1e6) < 1e-9);
});

Deno.test("evidence: time orders read stored idle timings, per run or per epoch, and ignore small gaps", async () => {
  const dir = await Deno.makeTempDir();
  const previous = Deno.env.get("FMNIST_MEASUREMENTS_DIR");
  Deno.env.set("FMNIST_MEASUREMENTS_DIR", dir);
  try {
    const order = (faster: string[], slower: string[], per: "epoch" | "run" = "run") =>
      checkFact({ fact: "time-order", faster, slower, per, measurement: "times" });
    assert.match((await order(["a"], ["b"])).unmeasured!, /not measured yet \(times\)/);
    const value = {
      epochSeconds: { a: [10, 12], b: [20, 22], c: [11.2, 11.2], e21: [11, 11] },
      epochs: { a: 3, b: 3, c: 3, e21: 21 },
    };
    await Deno.writeTextFile(`${dir}/times.json`, JSON.stringify({ name: "times", value }));
    assert.equal((await order(["a"], ["b"])).holds, true);
    assert.equal((await order(["b"], ["a"])).holds, false);
    assert.equal((await order(["a"], ["c"])).holds, false, "11.0 vs 11.2 s: within the margin");
    assert.equal((await order(["a", "c"], ["b"])).holds, true);
    assert.equal((await order(["a"], ["e21"], "epoch")).holds, false);
    const perRun = await order(["a"], ["e21"]);
    assert.equal(perRun.holds, true);
    assert.equal(perRun.seen, "33.0 vs 231.0 s per run (idle)");
    await assert.rejects(order(["a"], ["nope"]), /times has no timing of nope/);
  } finally {
    if (previous === undefined) Deno.env.delete("FMNIST_MEASUREMENTS_DIR");
    else Deno.env.set("FMNIST_MEASUREMENTS_DIR", previous);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("evidence: the paper's own fit rules read the last epoch (Awasthi & Soni, section III)", () => {
  const overfit = fakeRun({ curve: [[0.3, 0.9, 0.3, 0.9], [0.001, 1.0, 0.5, 0.92]] });
  const good = fakeRun({ curve: [[0.3, 0.9, 0.3, 0.9], [0.25, 0.93, 0.28, 0.925]] });
  const test = { test: "paper-fit", fit: "overfitting" } as const;
  const seen = runTest(overfit, test, never);
  assert.equal(seen.holds, true);
  assert.equal(seen.seen, "overfitting (gap 8.0 pts, val/train loss 500.0x)");
  assert.equal(runTest(good, test, never).holds, false);
  assert.equal(runTest(good, { test: "paper-fit", fit: "good fit" }, never).holds, true);
});

Deno.test("evidence: a claim about the end of training reads the last tenth of the epochs, not one dip", () => {
  assert.deepEqual([endWindow(100), endWindow(20), endWindow(10), endWindow(3)], [10, 2, 1, 1]);
  // Twenty epochs at 92% validation accuracy, the last one dipping to 90%: the window (2 epochs) reads 91%.
  const curve = Array.from({ length: 20 }, (_, i) => [0.1, 0.95, 0.3, i === 19 ? 0.9 : 0.92]) as [
    number,
    number,
    number,
    number,
  ][];
  const dip = fakeRun({ curve }), steady = fakeRun({ curve: curve.map(([a, b, c]) => [a, b, c, 0.915]) });
  assert.ok(Math.abs(settledMeasure(dip, "val-accuracy") - 91) < 1e-9);
  assert.equal(runMeasure(dip, "val-accuracy"), 90);
  const beats = { test: "compare", measure: "val-accuracy", other: "b", relation: ">" } as const;
  assert.equal(runTest(steady, beats, () => dip).holds, true);
  assert.ok(Math.abs(runTest(steady, beats, () => dip).lead! - 0.5) < 1e-9);
  assert.equal(
    settledMeasure(dip, "test-accuracy"),
    runMeasure(dip, "test-accuracy"),
    "test measures as they are",
  );
});

Deno.test("evidence: NaN in a comparison: a diverged rival trails and is named; a diverged claimant fails", () => {
  const run = fakeRun(), diverged = { ...fakeRun(), test: { ...fakeRun().test, loss: NaN } };
  const lowest: RunTest = { test: "extreme", measure: "test-loss", among: ["nll"], which: "min" };
  const rivalGone = runTest(run, lowest, () => diverged);
  assert.deepEqual([rivalGone.holds, rivalGone.lead, rivalGone.leftOut], [true, Infinity, ["nll"]]);
  const selfGone = runTest(diverged, lowest, () => run);
  assert.deepEqual([selfGone.holds, Number.isNaN(selfGone.lead)], [false, true]);
  const lower = { test: "compare", measure: "test-loss", other: "b", relation: "<" } as const;
  assert.equal(runTest(run, lower, () => diverged).holds, true);
  assert.equal(runTest(diverged, lower, () => run).holds, false);
});
