/**
 * Classification metrics for the Fashion-MNIST notebooks: confusion matrix, per-class precision,
 * recall, F1 and support with macro and weighted averages (scikit-learn's definitions and text
 * layout), argmax of predicted probabilities, and the model's worst mistakes and confusions.
 *
 * Pure TypeScript on plain arrays: labels are `ArrayLike<number>` of integers `0..numClasses-1`
 * (a `Uint8Array`, an `Int32Array` from {@link argmaxRows}, `number[]`, ...), probabilities a flat
 * row-major `ArrayLike<number>` such as the `Float32Array` of `await model.predict(x).data()`.
 *
 * @module
 */

/** Precision, recall, F1 and support of one class, or an average over classes. */
export interface ClassMetrics {
  /** tp / (tp + fp); 0 when the class is never predicted (scikit-learn's `zero_division=0`). */
  precision: number;
  /** tp / (tp + fn); 0 when the class has no support (`zero_division=0`). */
  recall: number;
  /** Harmonic mean of precision and recall, 2·tp / (2·tp + fp + fn); 0 when both are 0. */
  f1: number;
  /** Number of samples whose true label is this class (for an average: all samples). */
  support: number;
}

/** Per-class metrics and their averages, as in scikit-learn's `classification_report`. */
export interface ClassificationReport {
  /** One entry per class, in label order, with its label and name. */
  classes: (ClassMetrics & { label: number; name: string })[];
  /** Per sample: correct / total (0 when there are no samples). */
  accuracy: number;
  /** Unweighted mean over all classes (each class counts once, zero-support classes too); support = total. */
  macro: ClassMetrics;
  /** Mean over classes weighted by support; support = total. */
  weighted: ClassMetrics;
  /** Number of samples. */
  total: number;
}

/** Row of a confusion-based summary from {@link topConfusions}. */
export interface Confusion {
  /** True class. */
  trueLabel: number;
  /** Class the model predicted instead. */
  predicted: number;
  /** Number of samples of `trueLabel` predicted as `predicted`. */
  count: number;
  /** `count` over the support of `trueLabel` (the row sum), in [0, 1]. */
  shareOfTrue: number;
}

/** One wrong prediction, from {@link mostConfidentMistakes}. */
export interface Mistake {
  /** Position of the sample in the input arrays. */
  index: number;
  /** Its true label. */
  trueLabel: number;
  /** The (wrong) predicted label. */
  predicted: number;
  /** The model's confidence in `predicted`, e.g. its softmax probability. */
  confidence: number;
}

function checkClassCount(numClasses: number): void {
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new RangeError(`numClasses must be a positive integer, got ${numClasses}`);
  }
}

function checkLabel(value: number, index: number, which: string, numClasses: number): void {
  if (!Number.isInteger(value) || value < 0 || value >= numClasses) {
    throw new RangeError(
      `${which}[${index}] = ${value} is not a class label: labels must be integers 0..${numClasses - 1}`,
    );
  }
}

/**
 * Confusion matrix `counts[true][predicted]` over classes `0..numClasses-1`, the layout of
 * scikit-learn's `confusion_matrix(y_true, y_pred, labels=range(numClasses))`: row i holds the
 * samples of true class i, so row sums are supports and the diagonal counts correct predictions.
 *
 * @throws RangeError when the arrays differ in length, or a label is not an integer in range.
 */
export function confusionMatrix(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  numClasses = 10,
): number[][] {
  checkClassCount(numClasses);
  if (yTrue.length !== yPred.length) {
    throw new RangeError(
      `yTrue and yPred must have the same length, got ${yTrue.length} and ${yPred.length}`,
    );
  }
  const counts = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i];
    const p = yPred[i];
    checkLabel(t, i, "yTrue", numClasses);
    checkLabel(p, i, "yPred", numClasses);
    counts[t][p]++;
  }
  return counts;
}

/** a / b, or 0 when b is 0 (scikit-learn's `zero_division=0`). */
const divide = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/**
 * Per-class precision, recall, F1 and support, with macro and weighted averages, from a
 * confusion matrix `matrix[true][predicted]` (see {@link confusionMatrix}).
 *
 * Definitions are scikit-learn's `precision_recall_fscore_support` with `zero_division=0` and
 * `labels=range(classNames.length)`: precision = tp / (tp + fp), recall = tp / (tp + fn), F1 =
 * 2·tp / (2·tp + fp + fn) (the harmonic mean of precision and recall), each 0 where its
 * denominator is 0. Macro averages are plain means over all classes (macro F1 is the mean of the
 * per-class F1s, not the F1 of macro precision and recall); weighted averages weight each class
 * by its support. Accuracy is the trace over the total.
 *
 * @throws RangeError when the matrix is not square with one row per class name, or holds a
 *   negative or non-finite count.
 */
export function reportFromConfusion(matrix: number[][], classNames: readonly string[]): ClassificationReport {
  const n = classNames.length;
  checkClassCount(n);
  if (matrix.length !== n || matrix.some((row) => row.length !== n)) {
    throw new RangeError(
      `confusion matrix must be ${n}x${n} (one row and column per class name), got ` +
        `${matrix.length} rows of lengths ${matrix.map((r) => r.length).join(", ")}`,
    );
  }
  const support = new Array<number>(n).fill(0);
  const predictedCount = new Array<number>(n).fill(0);
  let total = 0;
  let correct = 0;
  for (let t = 0; t < n; t++) {
    for (let p = 0; p < n; p++) {
      const c = matrix[t][p];
      if (!Number.isFinite(c) || c < 0) {
        throw new RangeError(`confusion matrix [${t}][${p}] = ${c}: counts must be finite and >= 0`);
      }
      support[t] += c;
      predictedCount[p] += c;
      total += c;
      if (t === p) correct += c;
    }
  }
  const classes = classNames.map((name, label) => {
    const tp = matrix[label][label];
    return {
      label,
      name,
      precision: divide(tp, predictedCount[label]),
      recall: divide(tp, support[label]),
      // 2tp / (2tp + fp + fn) = 2PR / (P + R), computed with one rounding.
      f1: divide(2 * tp, support[label] + predictedCount[label]),
      support: support[label],
    };
  });
  const average = (weight: (c: ClassMetrics) => number): ClassMetrics => {
    let sumWeights = 0;
    let precision = 0;
    let recall = 0;
    let f1 = 0;
    for (const c of classes) {
      const w = weight(c);
      sumWeights += w;
      precision += w * c.precision;
      recall += w * c.recall;
      f1 += w * c.f1;
    }
    return {
      precision: divide(precision, sumWeights),
      recall: divide(recall, sumWeights),
      f1: divide(f1, sumWeights),
      support: total,
    };
  };
  return {
    classes,
    accuracy: divide(correct, total),
    macro: average(() => 1),
    weighted: average((c) => c.support),
    total,
  };
}

/**
 * Per-class precision, recall, F1 and support with macro and weighted averages, exactly as
 * scikit-learn's `classification_report` / `precision_recall_fscore_support` define them with
 * `zero_division=0` and `labels=range(classNames.length)`: every class appears, including one
 * that is never predicted (precision 0) or has no support (recall 0), and the macro average
 * counts it. See {@link reportFromConfusion} for the formulas.
 *
 * @throws RangeError when the arrays differ in length or a label is outside `0..classNames.length-1`.
 */
export function classificationReport(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  classNames: readonly string[],
): ClassificationReport {
  return reportFromConfusion(confusionMatrix(yTrue, yPred, classNames.length), classNames);
}

/**
 * `x` with `digits` decimals, as Python's `format(x, ".{digits}f")` writes it: the exact binary
 * value is rounded, and an exact tie goes to the even digit (0.625 -> "0.62", 0.375 -> "0.38"),
 * where JavaScript's `toFixed` would round up.
 */
function formatFixed(x: number, digits: number): string {
  if (!Number.isFinite(x) || Math.abs(x) >= 1e21 || digits > 20) return x.toFixed(Math.min(digits, 100));
  const rounded = x.toFixed(digits);
  // toFixed(100) is the exact decimal expansion of any double of moderate size.
  const exact = Math.abs(x).toFixed(100);
  const point = exact.indexOf(".");
  const rest = exact.slice(point + 1 + digits);
  if (!/^50*$/.test(rest)) return rounded; // not an exact tie: toFixed rounds to nearest
  const kept = exact.slice(0, point + 1 + digits).replace(/\.$/, "");
  const lastDigit = Number(kept[kept.length - 1]);
  if (lastDigit % 2 === 0) return (x < 0 ? "-" : "") + kept; // round half down to the even digit
  return rounded; // toFixed rounded the tie away from zero, onto the even digit
}

/** Python's `str.rjust`: pad on the left to `width` code points. */
function rjust(s: string, width: number): string {
  const length = Array.from(s).length;
  return length >= width ? s : " ".repeat(width - length) + s;
}

/**
 * Rows for a table (danfojs DataFrame, `console.table`, a notebook display): one per class, then
 * `accuracy`, `macro avg` and `weighted avg`, with keys `class`, `precision`, `recall`,
 * `f1-score`, `support`, and metrics rounded to `digits` decimals the way scikit-learn's text
 * report rounds them (half to even on exact ties). As in that report, the accuracy row has `""`
 * for precision and recall, its accuracy under `f1-score`, and the total under `support`.
 */
export function reportRows(report: ClassificationReport, digits = 3): Record<string, string | number>[] {
  const round = (x: number) => Number(formatFixed(x, digits));
  const row = (name: string, m: ClassMetrics) => ({
    class: name,
    precision: round(m.precision),
    recall: round(m.recall),
    "f1-score": round(m.f1),
    support: m.support,
  });
  return [
    ...report.classes.map((c) => row(c.name, c)),
    {
      class: "accuracy",
      precision: "",
      recall: "",
      "f1-score": round(report.accuracy),
      support: report.total,
    },
    row("macro avg", report.macro),
    row("weighted avg", report.weighted),
  ];
}

/**
 * The report as text, in the layout and rounding of scikit-learn's `classification_report`
 * (`digits=2` by default): a header `precision recall f1-score support`, one line per class, a
 * blank line, then `accuracy`, `macro avg` and `weighted avg`. Names are right-aligned in a
 * column as wide as the longest of them, "weighted avg" and `digits`; numbers in 9-wide columns.
 * The text ends with a newline, like scikit-learn's.
 */
export function formatReport(report: ClassificationReport, digits = 2): string {
  const lastHeading = "weighted avg";
  const width = Math.max(...report.classes.map((c) => Array.from(c.name).length), lastHeading.length, digits);
  const col = (s: string) => " " + rjust(s, 9);
  const line = (name: string, cells: string[]) => rjust(name, width) + " " + cells.map(col).join("") + "\n";
  const metrics = (m: ClassMetrics) => [
    formatFixed(m.precision, digits),
    formatFixed(m.recall, digits),
    formatFixed(m.f1, digits),
    String(m.support),
  ];
  let text = line("", ["precision", "recall", "f1-score", "support"]) + "\n";
  for (const c of report.classes) text += line(c.name, metrics(c));
  text += "\n";
  text += line("accuracy", ["", "", formatFixed(report.accuracy, digits), String(report.total)]);
  text += line("macro avg", metrics(report.macro));
  text += line(lastHeading, metrics(report.weighted));
  return text;
}

/**
 * Argmax of each row of an `[n, numClasses]` probability array given flat and row-major (e.g. the
 * `Float32Array` of `model.predict(x).data()`): the predicted class of each sample and its
 * probability. Ties go to the lowest class, like `np.argmax`; NaN never wins.
 *
 * @throws RangeError when the length is not a multiple of `numClasses`.
 */
export function argmaxRows(
  probs: ArrayLike<number>,
  numClasses: number,
): { predicted: Int32Array; confidence: Float32Array } {
  checkClassCount(numClasses);
  if (probs.length % numClasses !== 0) {
    throw new RangeError(
      `probabilities of length ${probs.length} are not rows of ${numClasses} classes (not a multiple)`,
    );
  }
  const n = probs.length / numClasses;
  const predicted = new Int32Array(n);
  const confidence = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    const offset = r * numClasses;
    let best = 0;
    let bestValue = probs[offset];
    for (let k = 1; k < numClasses; k++) {
      const v = probs[offset + k];
      if (v > bestValue || (Number.isNaN(bestValue) && !Number.isNaN(v))) {
        best = k;
        bestValue = v;
      }
    }
    predicted[r] = best;
    confidence[r] = bestValue;
  }
  return { predicted, confidence };
}

/**
 * The `k` most confident mistakes: samples whose predicted label differs from the true one,
 * sorted by confidence, highest first (equal confidences by index), with their labels.
 *
 * @throws RangeError when the three arrays differ in length.
 */
export function mostConfidentMistakes(
  yTrue: ArrayLike<number>,
  predicted: ArrayLike<number>,
  confidence: ArrayLike<number>,
  k = 10,
): Mistake[] {
  if (yTrue.length !== predicted.length || yTrue.length !== confidence.length) {
    throw new RangeError(
      `yTrue, predicted and confidence must have the same length, got ` +
        `${yTrue.length}, ${predicted.length} and ${confidence.length}`,
    );
  }
  const mistakes: Mistake[] = [];
  for (let i = 0; i < yTrue.length; i++) {
    if (yTrue[i] !== predicted[i]) {
      mistakes.push({ index: i, trueLabel: yTrue[i], predicted: predicted[i], confidence: confidence[i] });
    }
  }
  mistakes.sort((a, b) => b.confidence - a.confidence || a.index - b.index);
  return mistakes.slice(0, Math.max(0, k));
}

/**
 * The `k` most frequent confusions: off-diagonal cells of a confusion matrix
 * `matrix[true][predicted]` with a non-zero count, sorted by count, highest first (ties by true
 * then predicted label), each with its share of the true class's support.
 */
export function topConfusions(matrix: number[][], k = 10): Confusion[] {
  const confusions: Confusion[] = [];
  matrix.forEach((row, trueLabel) => {
    const support = row.reduce((a, b) => a + b, 0);
    row.forEach((count, predicted) => {
      if (predicted !== trueLabel && count > 0) {
        confusions.push({ trueLabel, predicted, count, shareOfTrue: divide(count, support) });
      }
    });
  });
  confusions.sort((a, b) => b.count - a.count || a.trueLabel - b.trueLabel || a.predicted - b.predicted);
  return confusions.slice(0, Math.max(0, k));
}
