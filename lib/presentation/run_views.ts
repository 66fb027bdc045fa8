/**
 * What notebooks show about trained runs, one call each: learning curves, the spread over seeds, the
 * confusion matrix and classification report over seeds, models side by side, and per-class F1 beside a
 * paper's table. Accuracies and gaps are in percent and percentage points throughout.
 *
 * @module
 */
import { CLASS_NAMES } from "../data/fashion_mnist.ts";
import type { RunResult } from "../training/store.ts";
import type { ExperimentConfig } from "../training/config.ts";
import { experimentData } from "../training/runs.ts";
import { loadFashionMnist } from "../data/fashion_mnist.ts";
import { SHOWN_FIRST, shownProbabilities, testPredictions } from "../training/store.ts";
import { diagnoseFit, summarize } from "../analysis/diagnosis.ts";
import { confidenceBins } from "../analysis/confidence.ts";
import { confusionMatrix, reportFromConfusion, reportRows, topConfusions } from "../analysis/metrics.ts";
import {
  comparisonFigure,
  confusionFigure,
  confusionHeadline,
  learningCurvesFigure,
  perClassComparisonFigure,
  predictionGridFigure,
  seedSpreadFigure,
} from "./charts.ts";
import { plural, showFigure, showMarkdown, showTable } from "./notebook.ts";

const pct = (x: number, digits = 1) => `${(100 * x).toFixed(digits)}%`;
const round = (x: number, digits: number) => Number(x.toFixed(digits));

/** "88.2% ± 0.3 (range 87.9-88.5%, 3 seeds)" for accuracies on [0, 1]. */
export function spreadText(values: number[]): string {
  const s = summarize(values);
  return `${pct(s.mean, 2)} ± ${(100 * s.std).toFixed(2)} (range ${(100 * s.min).toFixed(2)}-` +
    `${pct(s.max, 2)}, ${plural(s.n, "seed")})`;
}

function profileOf(runs: RunResult[]): string {
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

/** Whether two runs are the same network trained the same way: identical losses and predictions. */
export async function showIdentical(a: RunResult, b: RunResult): Promise<void> {
  const [pa, pb] = [testPredictions(a).predicted, testPredictions(b).predicted];
  const samePredictions = pa.every((p, i) => p === pb[i]);
  const losses = (r: RunResult) => JSON.stringify(r.history.map((h) => [h.loss, h.valLoss]));
  const sameHistory = losses(a) === losses(b);
  await showMarkdown(
    `${a.config.model} and ${b.config.model} (seed ${a.config.seed}, ${
      profileOf([a])
    }): identical per-epoch ` +
      `losses: **${sameHistory}**; identical predictions on all ${pa.length.toLocaleString("en-US")} test ` +
      `images: **${samePredictions}**; parameters ${a.params.total.toLocaleString("en-US")} vs ` +
      `${b.params.total.toLocaleString("en-US")}.`,
  );
}

/** Models side by side (mean over seeds): a table and a figure of accuracy, macro F1 and parameters. */
export async function showComparison(name: string, models: Record<string, RunResult[]>): Promise<void> {
  const rows = Object.entries(models).map(([model, runs]) => ({
    model,
    "test accuracy (%)": round(100 * summarize(runs.map((r) => r.test.accuracy)).mean, 2),
    "± (pts)": round(100 * summarize(runs.map((r) => r.test.accuracy)).std, 2),
    "macro F1": round(
      summarize(runs.map((r) => reportFromConfusion(r.test.confusion, CLASS_NAMES).macro.f1)).mean,
      3,
    ),
    parameters: runs[0].params.total,
    "s/epoch": round(summarize(runs.map((r) => r.timing.meanEpochSeconds)).mean, 1),
  }));
  const all = Object.values(models);
  await showTable(rows, {
    caption: `Mean over ${plural(all[0].length, "seed")}; ${profileOf(all[0])}; times as stored (runs ` +
      `trained two at a time share the two cores)`,
    digits: 2,
  });
  const best = rows.reduce((a, b) => (b["test accuracy (%)"] > a["test accuracy (%)"] ? b : a));
  await showFigure(
    name,
    comparisonFigure(
      rows.map((r) => ({
        model: r.model,
        accuracy: r["test accuracy (%)"] / 100,
        f1: r["macro F1"],
        parameters: r.parameters,
      })),
      `${best.model} has the highest mean test accuracy (${best["test accuracy (%)"].toFixed(1)}%)`,
      `test set, mean over seeds; ${profileOf(all[0])}`,
    ),
  );
}

/** Per-class F1 over seeds beside a paper's per-class table: a table and a figure. */
export async function showF1Against(
  name: string,
  runs: RunResult[],
  stated: Record<string, number>,
  source: string,
): Promise<void> {
  const f1 = CLASS_NAMES.map((_, c) =>
    summarize(runs.map((r) => reportFromConfusion(r.test.confusion, CLASS_NAMES).classes[c].f1))
  );
  await showTable(
    CLASS_NAMES.map((cls, c) => ({
      class: cls,
      [source]: stated[cls],
      "ours (mean)": round(f1[c].mean, 3),
      "ours (range)": `${f1[c].min.toFixed(3)}-${f1[c].max.toFixed(3)}`,
      "ours - paper": round(f1[c].mean - stated[cls], 3),
    })),
    { caption: `F1 per class over ${plural(runs.length, "seed")}; ${profileOf(runs)}` },
  );
  const lowest = f1.reduce((b, s, c) => (s.mean < f1[b].mean ? c : b), 0);
  const within = CLASS_NAMES.filter((cls, c) =>
    stated[cls] >= f1[c].min - 0.01 && stated[cls] <= f1[c].max + 0.01
  );
  await showFigure(
    name,
    perClassComparisonFigure(
      CLASS_NAMES.flatMap((cls, c) => [
        { class: cls, source: `paper (${source})`, value: stated[cls] },
        {
          class: cls,
          source: `ours (${runs.length} seeds)`,
          value: f1[c].mean,
          min: f1[c].min,
          max: f1[c].max,
        },
      ]),
      `Per-class F1: ${CLASS_NAMES[lowest]} lowest (${
        f1[lowest].mean.toFixed(2)
      }); ${source} within our seed ` +
        `range ± 0.01 for ${within.length} of 10 classes`,
      `bars: mean over seeds; black rule: seed range; ${profileOf(runs)}`,
    ),
  );
}

/** Per epoch, mean over seeds: training and validation accuracy and their gap, and validation loss. */
export async function showEpochs(runs: RunResult[], label: string): Promise<void> {
  const mean = (f: (r: RunResult, e: number) => number, e: number) =>
    summarize(runs.map((r) => f(r, e))).mean;
  await showTable(
    runs[0].history.map((_, e) => ({
      epoch: e + 1,
      "training (%)": round(100 * mean((r, i) => r.history[i].accuracy, e), 2),
      "validation (%)": round(100 * mean((r, i) => r.history[i].valAccuracy ?? NaN, e), 2),
      "gap (pts)": round(
        100 * mean((r, i) => r.history[i].accuracy - (r.history[i].valAccuracy ?? NaN), e),
        2,
      ),
      "validation loss": round(mean((r, i) => r.history[i].valLoss ?? NaN, e), 3),
    })),
    {
      caption: `${label}: per epoch, mean over ${plural(runs.length, "seed")}; ${profileOf(runs)}`,
      digits: 2,
    },
  );
}

/** The parts a config trains, validates and tests on, with their array shapes as Keras would print them. */
export async function showSplit(config: ExperimentConfig): Promise<void> {
  const parts = experimentData(await loadFashionMnist(), config);
  const rows = (["train", "validation", "test"] as const).flatMap((part) => {
    const subset = parts[part];
    if (!subset) return [];
    return [{
      part,
      images: `(${subset.count.toLocaleString("en-US")}, 28, 28, 1)`,
      labels: `(${subset.count.toLocaleString("en-US")},)`,
    }];
  });
  await showTable(rows, {
    caption: `${config.model}: the data as trained (${config.split} split, ` +
      `${100 * config.validationFraction}% of the training images held out for validation)`,
  });
}

/**
 * The first test images and the most confident mistakes of a run, each with its ten class probabilities
 * (kept in the stored result; results stored before they were kept show a note instead).
 */
export async function showPredictions(name: string, run: RunResult, label: string): Promise<void> {
  const kept = shownProbabilities(run);
  if (kept.size === 0) {
    await showMarkdown(
      `_${label}: this stored run predates the kept probabilities; retrain it to see them._`,
    );
    return;
  }
  const test = experimentData(await loadFashionMnist(), run.config).test;
  const item = (i: number) => ({
    pixels: test.images.subarray(i * 784, (i + 1) * 784),
    label: test.labels[i],
    probabilities: kept.get(i)!,
  });
  const indices = [...kept.keys()];
  const first = indices.filter((i) => i < SHOWN_FIRST).slice(0, 12);
  const top = (i: number) => Math.max(...kept.get(i)!);
  const mistakes = indices.filter((i) => test.labels[i] !== argmax(kept.get(i)!))
    .sort((a, b) => top(b) - top(a)).slice(0, 12);
  const seed = `seed ${run.config.seed}, profile ${run.config.profile}`;
  await showFigure(
    `${name}-first`,
    predictionGridFigure(
      first.map(item),
      `${label}: the first test images`,
      seed,
    ),
  );
  const sure = mistakes.map(top);
  await showFigure(
    `${name}-mistakes`,
    predictionGridFigure(
      mistakes.map(item),
      `${label}: its ${mistakes.length} most confident mistakes (confidence ${percentRange(sure)})`,
      seed,
    ),
  );
}

/**
 * A range of shares as percent with as many decimals as it takes for its ends to differ (at most 2):
 * "87-99%", "99.96-100%", or one value when they agree: "100%" (trailing zeros dropped).
 */
export function percentRange(values: number[]): string {
  const [low, high] = [Math.min(...values), Math.max(...values)];
  const percent = (v: number, digits: number) => String(Number((100 * v).toFixed(digits)));
  for (let digits = 0; digits <= 2; digits++) {
    const [a, b] = [percent(low, digits), percent(high, digits)];
    if (a !== b) return `${a}-${b}%`;
  }
  return `${percent(high, 2)}%`;
}

/**
 * How sure a run is when it is right and when it is wrong: its test predictions by confidence (table),
 * then how many mistakes come with confidence of 90% or more and which confusions they are.
 */
export async function showConfidence(run: RunResult, label: string): Promise<void> {
  const { labels, predicted, confidence } = testPredictions(run);
  const bins = confidenceBins(labels, predicted, confidence, [0, 0.5, 0.9, 0.99, 1]);
  const mistakes = bins.reduce((s, b) => s + b.mistakes, 0);
  const band = (b: { from: number; to: number }, last: boolean) =>
    `${pct(b.from, 0)} to ${last ? "" : "under "}${pct(b.to, 0)}`;
  await showTable(
    bins.map((b, i) => ({
      confidence: band(b, i === bins.length - 1),
      "test images": b.count,
      "right (%)": b.count ? round((100 * b.correct) / b.count, 2) : "—",
      "mean confidence (%)": b.count ? round(100 * b.meanConfidence, 2) : "—",
      mistakes: b.mistakes,
      "share of all mistakes (%)": mistakes ? ((100 * b.mistakes) / mistakes).toFixed(1) : "—",
    })),
    {
      caption: `${label}: test predictions by the model's confidence (seed ${run.config.seed}, ` +
        `profile ${run.config.profile})`,
      digits: 2,
    },
  );
  const sure = Array.from(labels.keys()).filter((i) => confidence[i] >= 0.9);
  const confident = confusionMatrix(sure.map((i) => labels[i]), sure.map((i) => predicted[i]));
  const common = topConfusions(confident, 3)
    .map((c) => `${CLASS_NAMES[c.trueLabel]} taken for ${CLASS_NAMES[c.predicted]} (${c.count})`);
  const sureMistakes = sure.filter((i) => predicted[i] !== labels[i]).length;
  await showMarkdown(
    `**${label}: ${sureMistakes} of its ${mistakes.toLocaleString("en-US")} test mistakes (${
      pct(mistakes ? sureMistakes / mistakes : 0)
    }) come ` +
      `with 90% confidence or more${common.length ? `; most often ${common.join(", ")}` : ""}.**`,
  );
}

const argmax = (p: ArrayLike<number>) => Array.from(p).indexOf(Math.max(...Array.from(p)));
