/**
 * What every paper's notebook shows about trained runs, one call each: learning curves, the spread over
 * seeds, and the confusion matrix and classification report over seeds. Accuracies and gaps are in percent
 * and percentage points throughout. Views only one paper uses live in its folder (`lib/papers/<slug>/`).
 *
 * @module
 */
import { percent, round } from "../format.ts";
import { CLASS_NAMES } from "../data/fashion_mnist.ts";
import type { RunResult } from "../training/store.ts";
import { diagnoseFit, summarize } from "../analysis/diagnosis.ts";
import { reportFromConfusion, reportRows } from "../analysis/metrics.ts";
import { confusionFigure, confusionHeadline, learningCurvesFigure, seedSpreadFigure } from "./charts.ts";
import { plural, showFigure, showTable } from "./notebook.ts";

/** "88.2% ± 0.3 (range 87.9-88.5%, 3 seeds)" for accuracies on [0, 1]. */
export function spreadText(values: number[]): string {
  const s = summarize(values);
  return `${percent(s.mean, 2)} ± ${(100 * s.std).toFixed(2)} (range ${(100 * s.min).toFixed(2)}-` +
    `${percent(s.max, 2)}, ${plural(s.n, "seed")})`;
}

/** "profile paper, 10 epochs": the profile and epochs of a set of runs, for captions. */
export function profileOf(runs: RunResult[]): string {
  return `profile ${runs[0].config.profile}, ${plural(runs[0].history.length, "epoch")}`;
}

/** The learning curves of the first run, titled with the test accuracy over all runs. */
export async function showCurves(name: string, runs: RunResult[], label: string): Promise<void> {
  await showFigure(
    name,
    learningCurvesFigure(
      runs[0].history,
      `${label}: test accuracy ${spreadText(runs.map((r) => r.test.accuracy))}`,
      `${
        runs[0].history.some((h) => h.valLoss !== null)
          ? "training vs validation"
          : "training (no validation set)"
      } ` +
        `per epoch, seed ${runs[0].config.seed}; ${profileOf(runs)}`,
    ),
  );
}

/**
 * One row per seed: test and last-epoch training accuracy, and, where the run has a validation set,
 * validation accuracy, the train/validation gap and the fit by the stated rule; seconds per epoch.
 */
export async function showSeeds(runs: RunResult[], label: string, figureName?: string): Promise<void> {
  await showTable(
    runs.map((r) => {
      const last = r.history.at(-1)!;
      const row = {
        seed: r.config.seed,
        "test accuracy (%)": round(100 * r.test.accuracy, 2),
        "training (%)": round(100 * last.accuracy, 2),
      };
      const time = { "s/epoch": round(r.timing.meanEpochSeconds, 1) };
      if (last.valAccuracy === null) return { ...row, ...time }; // no validation set (e.g. Tang et al.)
      return {
        ...row,
        "validation (%)": round(100 * last.valAccuracy, 2),
        "train - val (pts)": round(100 * (last.accuracy - last.valAccuracy), 2),
        "fit (stated rule)": diagnoseFit(r.history).verdict,
        ...time,
      };
    }),
    {
      caption: `${label}: test accuracy ${spreadText(runs.map((r) => r.test.accuracy))}; ${profileOf(runs)}`,
      digits: 2,
    },
  );
  if (figureName) {
    const rows = runs.map((r) => ({ group: label, seed: r.config.seed, value: r.test.accuracy }));
    await showFigure(
      figureName,
      seedSpreadFigure(
        rows,
        `${label}: ${spreadText(rows.map((r) => r.value))}`,
        "test accuracy",
        profileOf(runs),
      ),
    );
  }
}

/** The confusion matrix summed over runs, and the classification report computed from it. */
export async function showConfusion(name: string, runs: RunResult[], label: string): Promise<void> {
  const sum = runs[0].test.confusion.map((row, i) =>
    row.map((_, j) => runs.reduce((s, r) => s + r.test.confusion[i][j], 0))
  );
  const subtitle = `test set, summed over ${plural(runs.length, "seed")} (${
    runs[0].test.count.toLocaleString("en-US")
  } images each); ${profileOf(runs)}`;
  await showFigure(name, confusionFigure(sum, `${label}: ${confusionHeadline(sum)}`, subtitle));
  await showTable(reportRows(reportFromConfusion(sum, CLASS_NAMES)), {
    caption: `${label}: classification report (test, all seeds pooled)`,
  });
}
