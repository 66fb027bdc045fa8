import assert from "node:assert/strict";
import {
  argmaxRows,
  type ClassificationReport,
  classificationReport,
  confusionMatrix,
  formatReport,
  mostConfidentMistakes,
  reportFromConfusion,
  reportRows,
  topConfusions,
} from "../../lib/analysis/metrics.ts";

/** Assert |actual - expected| <= 1e-12. */
function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-12, `${what}: expected ${expected}, got ${actual}`);
}

/** Assert a report's per-class [precision, recall, f1, support], macro, weighted and accuracy. */
function checkReport(
  report: ClassificationReport,
  classes: [number, number, number, number][],
  macro: [number, number, number],
  weighted: [number, number, number],
  accuracy: number,
  total: number,
): void {
  assert.equal(report.classes.length, classes.length);
  classes.forEach(([p, r, f, s], i) => {
    const c = report.classes[i];
    assert.equal(c.label, i);
    close(c.precision, p, `class ${i} precision`);
    close(c.recall, r, `class ${i} recall`);
    close(c.f1, f, `class ${i} f1`);
    assert.equal(c.support, s, `class ${i} support`);
  });
  close(report.macro.precision, macro[0], "macro precision");
  close(report.macro.recall, macro[1], "macro recall");
  close(report.macro.f1, macro[2], "macro f1");
  close(report.weighted.precision, weighted[0], "weighted precision");
  close(report.weighted.recall, weighted[1], "weighted recall");
  close(report.weighted.f1, weighted[2], "weighted f1");
  close(report.accuracy, accuracy, "accuracy");
  assert.equal(report.total, total);
  assert.equal(report.macro.support, total);
  assert.equal(report.weighted.support, total);
}

// The pinned example. Pairs (true, pred):
// (0,0) (1,2) (2,2) (2,2) (2,1) (1,1) (0,0) (0,1) (1,1) (2,0)
// true 0 at 0,6,7 -> pred 0,0,1   -> row [2, 1, 0]
// true 1 at 1,5,8 -> pred 2,1,1   -> row [0, 2, 1]
// true 2 at 2,3,4,9 -> pred 2,2,1,0 -> row [1, 1, 2]
// Column sums (times predicted): 3, 4, 3. Supports: 3, 3, 4. Trace 6 of 10.
const Y_TRUE = [0, 1, 2, 2, 2, 1, 0, 0, 1, 2];
const Y_PRED = [0, 2, 2, 2, 1, 1, 0, 1, 1, 0];
const NAMES = ["T-shirt", "Trouser", "Pullover"];

Deno.test("confusionMatrix counts [true][predicted] on the pinned 3-class example", () => {
  assert.deepEqual(confusionMatrix(Y_TRUE, Y_PRED, 3), [[2, 1, 0], [0, 2, 1], [1, 1, 2]]);
  // Typed arrays work, and the default is 10 classes (Fashion-MNIST) with zero rows/columns for 3..9.
  const ten = confusionMatrix(Uint8Array.from(Y_TRUE), Int32Array.from(Y_PRED));
  assert.equal(ten.length, 10);
  assert.ok(ten.every((row) => row.length === 10));
  assert.deepEqual(ten.slice(0, 3).map((row) => row.slice(0, 3)), [[2, 1, 0], [0, 2, 1], [1, 1, 2]]);
  assert.equal(ten.flat().reduce((a, b) => a + b, 0), 10);
  assert.deepEqual(confusionMatrix([], [], 2), [[0, 0], [0, 0]]);
});

Deno.test("classificationReport matches sklearn on the pinned example", () => {
  // class 0: tp 2, predicted 3, support 3 -> P = 2/3, R = 2/3, F1 = 2·2/(3+3) = 2/3
  // class 1: tp 2, predicted 4, support 3 -> P = 2/4 = 1/2, R = 2/3, F1 = 2·2/(3+4) = 4/7 = 0.5714
  // class 2: tp 2, predicted 3, support 4 -> P = 2/3, R = 2/4 = 1/2, F1 = 2·2/(4+3) = 4/7
  // accuracy = 6/10 = 0.6
  // macro P = (2/3 + 1/2 + 2/3)/3 = 11/18 = 0.6111, macro R = (2/3 + 2/3 + 1/2)/3 = 11/18,
  // macro F1 = (2/3 + 4/7 + 4/7)/3 = (14 + 12 + 12)/63 = 38/63 = 0.6032
  // weighted P = (3·2/3 + 3·1/2 + 4·2/3)/10 = (2 + 1.5 + 8/3)/10 = 37/60 = 0.6167
  // weighted R = (3·2/3 + 3·2/3 + 4·1/2)/10 = 6/10 = 0.6 (always the accuracy)
  // weighted F1 = (3·2/3 + 3·4/7 + 4·4/7)/10 = (2 + 28/7)/10 = 0.6
  const report = classificationReport(Y_TRUE, Y_PRED, NAMES);
  checkReport(
    report,
    [[2 / 3, 2 / 3, 2 / 3, 3], [1 / 2, 2 / 3, 4 / 7, 3], [2 / 3, 1 / 2, 4 / 7, 4]],
    [11 / 18, 11 / 18, 38 / 63],
    [37 / 60, 0.6, 0.6],
    0.6,
    10,
  );
  assert.deepEqual(report.classes.map((c) => c.name), NAMES);
  // What sklearn's classification_report(y_true, y_pred, target_names=NAMES) prints (digits=2).
  assert.equal(
    formatReport(report),
    [
      "              precision    recall  f1-score   support",
      "",
      "     T-shirt       0.67      0.67      0.67         3",
      "     Trouser       0.50      0.67      0.57         3",
      "    Pullover       0.67      0.50      0.57         4",
      "",
      "    accuracy                           0.60        10",
      "   macro avg       0.61      0.61      0.60        10",
      "weighted avg       0.62      0.60      0.60        10",
      "",
    ].join("\n"),
  );
});

Deno.test("formatReport reproduces the classification_report example from the sklearn docs", () => {
  // y_true = [0,1,2,2,2], y_pred = [0,0,2,2,1]; rows [1,0,0], [1,0,0], [0,1,2]; predicted 2, 1, 2.
  // class 0: P 1/2, R 1/1, F1 2/(1+2) = 0.667; class 1: P 0/1, R 0/1, F1 0;
  // class 2: P 2/2, R 2/3, F1 4/(3+2) = 0.8. accuracy 3/5.
  // macro: P 0.5, R (1 + 0 + 2/3)/3 = 5/9 = 0.556, F1 (2/3 + 0.8)/3 = 22/45 = 0.489
  // weighted: P (0.5 + 0 + 3)/5 = 0.7, R 0.6, F1 (2/3 + 0 + 3·0.8)/5 = 0.6133
  const report = classificationReport([0, 1, 2, 2, 2], [0, 0, 2, 2, 1], ["class 0", "class 1", "class 2"]);
  assert.equal(
    formatReport(report),
    [
      "              precision    recall  f1-score   support",
      "",
      "     class 0       0.50      1.00      0.67         1",
      "     class 1       0.00      0.00      0.00         1",
      "     class 2       1.00      0.67      0.80         3",
      "",
      "    accuracy                           0.60         5",
      "   macro avg       0.50      0.56      0.49         5",
      "weighted avg       0.70      0.60      0.61         5",
      "",
    ].join("\n"),
  );
});

Deno.test("a class that is never predicted has precision 0 (zero_division=0) and counts in the macro average", () => {
  // yTrue [0,0,1,1,2,2], yPred [0,0,1,1,1,1]: rows [2,0,0], [0,2,0], [0,2,0]; predicted 2, 4, 0.
  // class 0: P 2/2 = 1, R 2/2 = 1, F1 1
  // class 1: P 2/4 = 0.5, R 2/2 = 1, F1 2·2/(2+4) = 2/3
  // class 2: never predicted -> P 0 (0/0 -> 0), R 0/2 = 0, F1 0
  // macro: P (1 + 0.5 + 0)/3 = 0.5, R (1 + 1 + 0)/3 = 2/3, F1 (1 + 2/3 + 0)/3 = 5/9
  // weighted (supports 2,2,2): the same as macro here; accuracy 4/6
  const report = classificationReport([0, 0, 1, 1, 2, 2], [0, 0, 1, 1, 1, 1], ["a", "b", "c"]);
  checkReport(
    report,
    [[1, 1, 1, 2], [0.5, 1, 2 / 3, 2], [0, 0, 0, 2]],
    [0.5, 2 / 3, 5 / 9],
    [0.5, 2 / 3, 5 / 9],
    4 / 6,
    6,
  );
  // Dropping the 0 from the mean would give macro P 0.75 and F1 5/6: the 0 is included.
  assert.notEqual(report.macro.precision, 0.75);
  assert.ok(report.classes.every((c) => Number.isFinite(c.precision) && Number.isFinite(c.f1)));
});

Deno.test("a class with zero support has recall 0, counts in macro but not in weighted averages", () => {
  // yTrue [0,0,1,1], yPred [0,2,1,1], 4 names: rows [1,0,1,0], [0,2,0,0], [0,0,0,0], [0,0,0,0].
  // class 0: tp 1, predicted 1, support 2 -> P 1, R 1/2, F1 2/(2+1) = 2/3
  // class 1: tp 2, predicted 2, support 2 -> P 1, R 1, F1 1
  // class 2: support 0, predicted once (fp) -> P 0/1 = 0, R 0/0 -> 0, F1 0
  // class 3: neither true nor predicted -> all 0, still one of the 4 classes (labels=range(4))
  // macro: P (1 + 1 + 0 + 0)/4 = 0.5, R (0.5 + 1)/4 = 0.375, F1 (2/3 + 1)/4 = 5/12
  // weighted (supports 2,2,0,0): P (2 + 2)/4 = 1, R (1 + 2)/4 = 0.75, F1 (2·2/3 + 2)/4 = 5/6
  // accuracy 3/4
  const report = classificationReport([0, 0, 1, 1], [0, 2, 1, 1], ["a", "b", "c", "d"]);
  checkReport(
    report,
    [[1, 0.5, 2 / 3, 2], [1, 1, 1, 2], [0, 0, 0, 0], [0, 0, 0, 0]],
    [0.5, 0.375, 5 / 12],
    [1, 0.75, 5 / 6],
    0.75,
    4,
  );
});

Deno.test("macro F1 is the mean of per-class F1s, not the F1 of macro precision and recall", () => {
  // yTrue [0, 1×9], yPred [0, 0,0,0,0, 1×5]: rows [1,0], [4,5]; predicted 5, 5; supports 1, 9.
  // class 0: P 1/5 = 0.2, R 1/1 = 1, F1 2·1/(1+5) = 1/3
  // class 1: P 5/5 = 1, R 5/9, F1 2·5/(9+5) = 5/7
  // macro P = 0.6, macro R = (1 + 5/9)/2 = 7/9, macro F1 = (1/3 + 5/7)/2 = 11/21 = 0.5238
  // F1 of the macro means would be 2·0.6·(7/9)/(0.6 + 7/9) = 21/31 = 0.6774: off by 0.1536
  const yTrue = [0, 1, 1, 1, 1, 1, 1, 1, 1, 1];
  const yPred = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1];
  const report = classificationReport(yTrue, yPred, ["a", "b"]);
  close(report.classes[0].f1, 1 / 3, "class 0 f1");
  close(report.classes[1].f1, 5 / 7, "class 1 f1");
  close(report.macro.precision, 0.6, "macro precision");
  close(report.macro.recall, 7 / 9, "macro recall");
  close(report.macro.f1, 11 / 21, "macro f1");
  const { precision: p, recall: r } = report.macro;
  const harmonic = (2 * p * r) / (p + r);
  close(harmonic, 21 / 31, "harmonic mean of macro P and R");
  assert.ok(harmonic - report.macro.f1 > 0.15, `macro F1 ${report.macro.f1} vs harmonic ${harmonic}`);
  // Weighted F1 is likewise the support-weighted mean of per-class F1s: (1/3 + 9·5/7)/10 = 142/210.
  close(report.weighted.f1, (1 / 3 + 9 * (5 / 7)) / 10, "weighted f1");
  // Per class, F1 is the harmonic mean of that class's P and R.
  for (const c of report.classes) {
    close(c.f1, (2 * c.precision * c.recall) / (c.precision + c.recall), c.name);
  }
});

Deno.test("reportFromConfusion gives the same report as classificationReport and checks its matrix", () => {
  const fromLabels = classificationReport(Y_TRUE, Y_PRED, NAMES);
  assert.deepEqual(reportFromConfusion([[2, 1, 0], [0, 2, 1], [1, 1, 2]], NAMES), fromLabels);
  assert.throws(() => reportFromConfusion([[1, 0], [0, 1]], NAMES), RangeError);
  assert.throws(() => reportFromConfusion([[1, 0, 0], [0, 1], [0, 0, 1]], NAMES), /3x3/);
  assert.throws(() => reportFromConfusion([[1, -1], [0, 1]], ["a", "b"]), /\[0\]\[1\] = -1/);
  // No samples at all: everything 0, nothing NaN.
  const empty = reportFromConfusion([[0, 0], [0, 0]], ["a", "b"]);
  checkReport(empty, [[0, 0, 0, 0], [0, 0, 0, 0]], [0, 0, 0], [0, 0, 0], 0, 0);
});

Deno.test("formatReport layout: header, class rows, accuracy / macro avg / weighted avg, digits, width", () => {
  const report = classificationReport(Y_TRUE, Y_PRED, NAMES);
  const lines = formatReport(report, 4).split("\n");
  assert.deepEqual(lines[0].trim().split(/\s+/), ["precision", "recall", "f1-score", "support"]);
  assert.equal(lines[1], "");
  assert.deepEqual(lines.slice(2, 5).map((l) => l.trim().split(/\s+/)[0]), [
    "T-shirt",
    "Trouser",
    "Pullover",
  ]);
  assert.equal(lines[5], "");
  assert.match(lines[6], /^ +accuracy +0\.6000 +10$/);
  // 11/18 = 0.61111, 38/63 = 0.603175
  assert.match(lines[7], /^ +macro avg +0\.6111 +0\.6111 +0\.6032 +10$/);
  // 37/60 = 0.616667
  assert.match(lines[8], /^weighted avg +0\.6167 +0\.6000 +0\.6000 +10$/);
  assert.equal(lines[9], "");
  assert.equal(lines.length, 10);
  // Columns line up: every non-blank line has the same length (12 + 1 + 4·10 = 53).
  assert.ok(lines.filter((l) => l).every((l) => l.length === 53), lines.join("\n"));
  // A name longer than "weighted avg" widens the name column; names are right-aligned.
  const wide = formatReport(classificationReport([0, 1], [0, 1], ["Ankle boot (long)", "Bag"]));
  const wideLines = wide.split("\n");
  assert.equal(wideLines[2], "Ankle boot (long)       1.00      1.00      1.00         1");
  assert.equal(wideLines[3], "              Bag       1.00      1.00      1.00         1");
  assert.equal(wideLines[7], "     weighted avg       1.00      1.00      1.00         2");
});

Deno.test("formatReport and reportRows round exact ties half to even, like Python's format", () => {
  // Matrix [[5,0],[3,0]]: class a P 5/8 = 0.625 (exactly representable), R 1, F1 10/13 = 0.769;
  // class b never predicted: 0, 0, 0. accuracy 5/8 = 0.625.
  // macro P 0.3125, R 0.5, F1 5/13 = 0.3846; weighted P 5·0.625/8 = 0.390625, R 0.625, F1 50/104 = 0.4808.
  // Python prints format(0.625, ".2f") == "0.62" and format(0.3125, ".3f") == "0.312";
  // JavaScript's toFixed would give "0.63" and "0.313".
  const report = reportFromConfusion([[5, 0], [3, 0]], ["a", "b"]);
  const lines = formatReport(report).split("\n");
  assert.equal(lines[2], "           a       0.62      1.00      0.77         5");
  assert.equal(lines[5], "    accuracy                           0.62         8");
  assert.equal(lines[6], "   macro avg       0.31      0.50      0.38         8");
  assert.equal(lines[7], "weighted avg       0.39      0.62      0.48         8");
  const rows = reportRows(report);
  assert.equal(rows[2]["f1-score"], 0.625);
  assert.equal(rows[3].precision, 0.312);
  assert.equal(rows[4].precision, 0.391); // 0.390625 is not a tie at 3 digits
  // 0.375 is a tie that rounds up to the even digit: "0.38".
  const up = reportFromConfusion([[3, 0], [5, 0]], ["a", "b"]);
  assert.match(formatReport(up).split("\n")[2], /^ +a +0\.38 +1\.00 /);
});

Deno.test("reportRows gives one row per class then accuracy, macro avg, weighted avg, rounded", () => {
  const rows = reportRows(classificationReport(Y_TRUE, Y_PRED, NAMES));
  assert.deepEqual(rows.map((r) => r.class), [...NAMES, "accuracy", "macro avg", "weighted avg"]);
  assert.deepEqual(rows[0], {
    class: "T-shirt",
    precision: 0.667,
    recall: 0.667,
    "f1-score": 0.667,
    support: 3,
  });
  // 4/7 = 0.571429
  assert.deepEqual(rows[1], {
    class: "Trouser",
    precision: 0.5,
    recall: 0.667,
    "f1-score": 0.571,
    support: 3,
  });
  assert.deepEqual(rows[3], { class: "accuracy", precision: "", recall: "", "f1-score": 0.6, support: 10 });
  assert.deepEqual(rows[4], {
    class: "macro avg",
    precision: 0.611,
    recall: 0.611,
    "f1-score": 0.603,
    support: 10,
  });
  assert.deepEqual(rows[5], {
    class: "weighted avg",
    precision: 0.617,
    recall: 0.6,
    "f1-score": 0.6,
    support: 10,
  });
  assert.equal(reportRows(classificationReport(Y_TRUE, Y_PRED, NAMES), 1)[4].precision, 0.6);
});

Deno.test("confusionMatrix and classificationReport reject mismatched lengths and out-of-range labels", () => {
  assert.throws(() => confusionMatrix([0, 1, 2], [0, 1], 3), (e: unknown) => {
    assert.ok(e instanceof RangeError);
    assert.match(e.message, /same length, got 3 and 2/);
    return true;
  });
  assert.throws(() => confusionMatrix([0, 3], [0, 1], 3), /yTrue\[1\] = 3 .*0\.\.2/);
  assert.throws(() => confusionMatrix([0, 1], [0, -1], 3), /yPred\[1\] = -1/);
  assert.throws(() => confusionMatrix([0, 1.5], [0, 1], 3), RangeError);
  assert.throws(() => confusionMatrix([0, NaN], [0, 1], 3), RangeError);
  assert.throws(() => confusionMatrix([10], [0]), /yTrue\[0\] = 10/); // default 10 classes: 0..9
  assert.throws(() => confusionMatrix([0], [0], 0), /numClasses/);
  assert.throws(() => classificationReport([0, 1, 2], [0, 1, 2], ["a", "b"]), /yTrue\[2\] = 2/);
  assert.throws(() => classificationReport([0, 1], [0], ["a", "b"]), RangeError);
});

Deno.test("argmaxRows returns each row's argmax (first on ties) and its probability", () => {
  const probs = Float32Array.from([
    0.1,
    0.7,
    0.2, // row 0 -> 1 (0.7)
    0.5,
    0.25,
    0.25, // row 1 -> 0 (0.5)
    0.3,
    0.3,
    0.4, // row 2 -> 2 (0.4)
    0.4,
    0.2,
    0.4, // row 3: tie between 0 and 2 -> 0, like np.argmax
  ]);
  const { predicted, confidence } = argmaxRows(probs, 3);
  assert.ok(predicted instanceof Int32Array);
  assert.ok(confidence instanceof Float32Array);
  assert.deepEqual(Array.from(predicted), [1, 0, 2, 0]);
  assert.deepEqual(Array.from(confidence), [Math.fround(0.7), 0.5, Math.fround(0.4), Math.fround(0.4)]);
  assert.deepEqual(Array.from(argmaxRows([], 10).predicted), []);
  assert.throws(() => argmaxRows([0.5, 0.5, 0.1], 2), /multiple/);
});

Deno.test("mostConfidentMistakes lists only wrong predictions, most confident first, at most k", () => {
  const yTrue = [0, 1, 2, 3, 4, 5, 6];
  const predicted = [0, 2, 2, 1, 0, 5, 0];
  const confidence = [0.99, 0.6, 0.95, 0.9, 0.6, 0.98, 0.7];
  // Mistakes: index 1 (0.6), 3 (0.9), 4 (0.6), 6 (0.7). Sorted: 3, 6, then 1 and 4 tied at 0.6 (by index).
  assert.deepEqual(mostConfidentMistakes(yTrue, predicted, confidence), [
    { index: 3, trueLabel: 3, predicted: 1, confidence: 0.9 },
    { index: 6, trueLabel: 6, predicted: 0, confidence: 0.7 },
    { index: 1, trueLabel: 1, predicted: 2, confidence: 0.6 },
    { index: 4, trueLabel: 4, predicted: 0, confidence: 0.6 },
  ]);
  assert.deepEqual(mostConfidentMistakes(yTrue, predicted, confidence, 2).map((m) => m.index), [3, 6]);
  assert.deepEqual(mostConfidentMistakes([1, 2], [1, 2], [0.5, 0.5]), []);
  assert.throws(() => mostConfidentMistakes([1, 2], [1], [0.5, 0.5]), RangeError);
  // Straight from argmaxRows on typed arrays.
  const { predicted: p, confidence: c } = argmaxRows(Float32Array.from([0.9, 0.1, 0.2, 0.8]), 2);
  assert.deepEqual(mostConfidentMistakes(Uint8Array.from([1, 1]), p, c).map((m) => m.index), [0]);
});

Deno.test("topConfusions sorts off-diagonal cells by count with their share of the true class", () => {
  const matrix = [
    [50, 3, 7], // class 0: support 60
    [0, 40, 0], // class 1: support 40, never confused
    [7, 12, 21], // class 2: support 40
  ];
  // Off-diagonal non-zero cells: (2,1) 12, (0,2) 7, (2,0) 7, (0,1) 3. Ties by true label: (0,2) before (2,0).
  const top = topConfusions(matrix);
  const cells = top.map((c) => [c.trueLabel, c.predicted, c.count]);
  assert.deepEqual(cells, [[2, 1, 12], [0, 2, 7], [2, 0, 7], [0, 1, 3]]);
  close(top[0].shareOfTrue, 12 / 40, "share of (2,1)");
  close(top[1].shareOfTrue, 7 / 60, "share of (0,2)");
  close(top[2].shareOfTrue, 7 / 40, "share of (2,0)");
  assert.deepEqual(topConfusions(matrix, 1).map((c) => c.count), [12]);
  assert.deepEqual(topConfusions([[5, 0], [0, 5]]), []);
  // On the pinned example: every off-diagonal cell is 0 or 1.
  assert.equal(topConfusions(confusionMatrix(Y_TRUE, Y_PRED, 3)).length, 4);
});
