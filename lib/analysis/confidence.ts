/**
 * How sure a classifier is: its predictions grouped by confidence, to read calibration and confident
 * mistakes from.
 *
 * @module
 */
/** Predictions whose confidence falls in `[from, to)` (the last bin includes `to`). */
export interface ConfidenceBin {
  from: number;
  to: number;
  count: number;
  correct: number;
  mistakes: number;
  /** Mean confidence in the bin (NaN when empty): beside `correct / count`, how well calibrated it is. */
  meanConfidence: number;
}

/**
 * Predictions grouped by the model's confidence: per bin, how many there are, how many are right, and
 * their mean confidence. `edges` rise from the lowest confidence to the highest, e.g. `[0, 0.5, 0.9, 1]`.
 *
 * @throws RangeError when the arrays differ in length or the edges do not rise.
 */
export function confidenceBins(
  yTrue: ArrayLike<number>,
  predicted: ArrayLike<number>,
  confidence: ArrayLike<number>,
  edges: number[] = [0, 0.5, 0.9, 0.99, 1],
): ConfidenceBin[] {
  if (yTrue.length !== predicted.length || yTrue.length !== confidence.length) {
    throw new RangeError(
      `yTrue, predicted and confidence must have the same length, got ` +
        `${yTrue.length}, ${predicted.length} and ${confidence.length}`,
    );
  }
  if (edges.length < 2 || edges.some((e, i) => i > 0 && !(e > edges[i - 1]))) {
    throw new RangeError(`confidence bin edges must rise, at least two of them; got [${edges.join(", ")}]`);
  }
  const bins = edges.slice(1).map((to, i) => ({ from: edges[i], to, count: 0, correct: 0, sum: 0 }));
  for (let i = 0; i < yTrue.length; i++) {
    const c = confidence[i];
    const bin = bins.find((b, k) => c >= b.from && (c < b.to || (k === bins.length - 1 && c === b.to)));
    if (!bin) continue;
    bin.count++;
    bin.sum += c;
    if (predicted[i] === yTrue[i]) bin.correct++;
  }
  return bins.map(({ from, to, count, correct, sum }) => ({
    from,
    to,
    count,
    correct,
    mistakes: count - correct,
    meanConfidence: count ? sum / count : NaN,
  }));
}
