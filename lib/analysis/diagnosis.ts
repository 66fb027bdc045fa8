/**
 * Reading learning curves and repeated runs with stated rules, so "neither overfitting nor
 * underfitting" (Sivakumar et al., section IV-A) and the three fit rules of Awasthi & Soni 2024
 * (section III) become checks anyone can rerun; and what early stopping would have done to a run.
 *
 * @module
 */
import { mean, percent } from "../format.ts";
import { type EpochRecord, shouldStop } from "../training/fit.ts";

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
  if (under) reasons.push(`training accuracy is only ${percent(last.accuracy)}`);
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
  const average = mean(values);
  const std = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - average) ** 2, 0) / (n - 1)) : 0;
  return { n, mean: average, std, min: Math.min(...values), max: Math.max(...values) };
}

/**
 * A run has learned when its test accuracy is above this (chance on ten balanced classes is 10%): twice
 * chance, far below any run that trained at all (the weakest settings of the papers reach 75%).
 */
export const LEARNED_ABOVE = 0.2;

/** Whether a run learned anything: test accuracy above {@link LEARNED_ABOVE}. */
export function learned(run: { test: { accuracy: number } }): boolean {
  return run.test.accuracy > LEARNED_ABOVE;
}

/**
 * The three written rules of Awasthi & Soni 2024 (section III, "Problem definition"), with thresholds
 * where the paper says "high", "low" and "close":
 * - accuracy is **high** from 90% (their models reach 91-100%) and **low** below 85% (a linear classifier
 *   reaches about 84% on Fashion-MNIST, so below it a network has learned little);
 * - accuracies are **close** within 2 points, and losses when validation loss is at most 1.25 times the
 *   training loss ("significantly lower" and "higher" are the opposite).
 */
export const PAPER_FIT_RULES = {
  highAccuracy: 0.9,
  lowAccuracy: 0.85,
  maxCloseGap: 0.02,
  maxCloseLossRatio: 1.25,
};

/** Where one epoch stands by the paper's rules ("in between" when none of its three rules applies). */
export type FitState = "underfitting" | "overfitting" | "good fit" | "in between";

/** One epoch classified by {@link PAPER_FIT_RULES}. */
export interface EpochFit {
  epoch: number;
  state: FitState;
  /** Training minus validation accuracy. */
  gap: number;
  /** Validation loss over training loss. */
  lossRatio: number;
}

/**
 * Classify every epoch by the paper's three rules: underfitting when training and validation accuracy
 * are both low; overfitting when training accuracy is high but validation accuracy is not close to it
 * and validation loss is well above training loss; a good fit when both accuracies are high and close
 * and the losses are close.
 */
export function classifyEpochs(history: EpochRecord[], rules = PAPER_FIT_RULES): EpochFit[] {
  return history.map((h) => {
    if (h.valAccuracy === null || h.valLoss === null) {
      throw new Error("classifyEpochs needs a history with validation loss and accuracy");
    }
    const gap = h.accuracy - h.valAccuracy;
    const lossRatio = h.valLoss / h.loss;
    const closeLosses = lossRatio <= rules.maxCloseLossRatio;
    let state: FitState = "in between";
    if (h.accuracy < rules.lowAccuracy && h.valAccuracy < rules.lowAccuracy) state = "underfitting";
    else if (h.accuracy >= rules.highAccuracy && gap > rules.maxCloseGap && !closeLosses) {
      state = "overfitting";
    } else if (h.valAccuracy >= rules.highAccuracy && gap <= rules.maxCloseGap && closeLosses) {
      state = "good fit";
    }
    return { epoch: h.epoch, state, gap, lossRatio };
  });
}

/** The epoch from which every later epoch is overfitting (null if the run does not end overfitting). */
export function overfittingFrom(fits: EpochFit[]): number | null {
  let from: number | null = null;
  for (const fit of fits) from = fit.state === "overfitting" ? (from ?? fit.epoch) : null;
  return from;
}

/** What early stopping on a validation metric would have done to a finished run. */
export interface EarlyStop {
  /** The epoch training would have stopped after (the run's last when it never triggers). */
  stopEpoch: number;
  /** The best epoch by the monitored metric up to the stop. */
  bestEpoch: number;
  valAccuracyAtStop: number;
  valAccuracyAtBest: number;
  epochsSaved: number;
  secondsSaved: number;
}

/**
 * Replay Keras-style early stopping (stop when the monitored metric has not improved for `patience`
 * epochs) on a recorded history; the same rule as training's `earlyStopping` option.
 */
export function replayEarlyStopping(
  history: EpochRecord[],
  patience: number,
  monitor: "valLoss" | "valAccuracy" = "valLoss",
): EarlyStop {
  if (!(Number.isInteger(patience) && patience >= 1)) {
    throw new RangeError(`patience must be >= 1, got ${patience}`);
  }
  let stop = history.length;
  for (let k = 1; k <= history.length; k++) {
    if (shouldStop(history.slice(0, k), { earlyStopping: { monitor, patience } })) {
      stop = k;
      break;
    }
  }
  const seen = history.slice(0, stop);
  const value = (
    h: EpochRecord,
  ) => (monitor === "valLoss" ? -(h.valLoss ?? Infinity) : (h.valAccuracy ?? -Infinity));
  const best = seen.reduce((b, h) => (value(h) > value(b) ? h : b));
  return {
    stopEpoch: seen.at(-1)!.epoch,
    bestEpoch: best.epoch,
    valAccuracyAtStop: seen.at(-1)!.valAccuracy!,
    valAccuracyAtBest: best.valAccuracy!,
    epochsSaved: history.length - stop,
    secondsSaved: history.slice(stop).reduce((s, h) => s + h.seconds, 0),
  };
}
