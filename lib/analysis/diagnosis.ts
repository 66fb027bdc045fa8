/**
 * Reading learning curves and repeated runs with stated rules, so "neither overfitting nor
 * underfitting" (Sivakumar et al., section IV-A) becomes a check anyone can rerun.
 *
 * @module
 */
import type { EpochRecord } from "../training/fit.ts";

/** Thresholds of {@link diagnoseFit}. */
export const FIT_RULE = {
  /** Overfitting: final training accuracy above validation accuracy by more than this. */
  maxAccuracyGap: 0.02,
  /** Overfitting: final validation loss above its minimum by more than this share. */
  maxValLossRise: 0.1,
  /** Underfitting: final training accuracy below this. */
  minTrainAccuracy: 0.85,
};

/** The rule in words, for notebooks. */
export const FIT_RULE_TEXT =
  `overfitting if, at the last epoch, training accuracy exceeds validation accuracy by more than ` +
  `${100 * FIT_RULE.maxAccuracyGap} percentage points or validation loss is more than ${
    100 * FIT_RULE.maxValLossRise
  }% ` +
  `above its minimum; underfitting if the last training accuracy is below ${
    100 * FIT_RULE.minTrainAccuracy
  }%; ` +
  `otherwise a good fit`;

/** A verdict on one run's curves, with the numbers behind it. */
export interface FitDiagnosis {
  verdict: "good fit" | "overfitting" | "underfitting";
  /** Final training accuracy minus final validation accuracy. */
  accuracyGap: number;
  /** Final validation loss relative to its minimum, minus 1. */
  valLossRise: number;
  /** Epoch of the lowest validation loss (1-based). */
  bestEpoch: number;
  finalTrainAccuracy: number;
  reasons: string[];
}

/** Apply {@link FIT_RULE_TEXT} to a history that has validation metrics. */
export function diagnoseFit(history: EpochRecord[]): FitDiagnosis {
  const last = history.at(-1);
  if (!last || last.valLoss === null || last.valAccuracy === null) {
    throw new Error("diagnoseFit needs a history with validation loss and accuracy");
  }
  const valLosses = history.map((h) => h.valLoss!);
  const min = Math.min(...valLosses);
  const accuracyGap = last.accuracy - last.valAccuracy;
  const valLossRise = last.valLoss / min - 1;
  const reasons: string[] = [];
  if (accuracyGap > FIT_RULE.maxAccuracyGap) {
    reasons.push(`training accuracy exceeds validation accuracy by ${(100 * accuracyGap).toFixed(1)} points`);
  }
  if (valLossRise > FIT_RULE.maxValLossRise) {
    reasons.push(`validation loss ends ${(100 * valLossRise).toFixed(0)}% above its minimum`);
  }
  const under = last.accuracy < FIT_RULE.minTrainAccuracy;
  if (under) reasons.push(`training accuracy is only ${(100 * last.accuracy).toFixed(1)}%`);
  return {
    verdict: reasons.length === 0 ? "good fit" : under ? "underfitting" : "overfitting",
    accuracyGap,
    valLossRise,
    bestEpoch: valLosses.indexOf(min) + 1,
    finalTrainAccuracy: last.accuracy,
    reasons,
  };
}

/** Mean, sample standard deviation and range of repeated measurements. */
export function summarize(
  values: number[],
): { n: number; mean: number; std: number; min: number; max: number } {
  if (values.length === 0) throw new RangeError("summarize needs at least one value");
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { n, mean, std, min: Math.min(...values), max: Math.max(...values) };
}
