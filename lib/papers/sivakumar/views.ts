/**
 * Sivakumar et al.'s own views: whether Model 1 and Model 2 are the same network trained the same way, and the models side by side.
 *
 * @module
 */
import { round } from "../../format.ts";
import { profileOf } from "../../presentation/run_views.ts";
import { CLASS_NAMES } from "../../data/fashion_mnist.ts";
import { type RunResult, testPredictions } from "../../training/store.ts";
import { summarize } from "../../analysis/diagnosis.ts";
import { reportFromConfusion } from "../../analysis/metrics.ts";
import { comparisonFigure } from "../../presentation/charts.ts";
import { plural, showFigure, showMarkdown, showTable } from "../../presentation/notebook.ts";

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

/**
 * Sivakumar et al.'s split read two ways, model by model: test and last-epoch training accuracy (mean and
 * range over seeds) with 60:20:20 taken of all 70,000 images (`runs`) and of the 60,000 training images
 * (`other`, the same models under the `-split60k` experiment names).
 */
export async function showSplitReadings(
  runs: Record<string, RunResult[]>,
  other: Record<string, RunResult[]>,
): Promise<void> {
  const cell = (values: number[]) => {
    const s = summarize(values.map((v) => 100 * v));
    return `${s.mean.toFixed(2)} (${s.min.toFixed(2)}-${s.max.toFixed(2)}, ${plural(s.n, "seed")})`;
  };
  const test = (rs: RunResult[]) => cell(rs.map((r) => r.test.accuracy));
  const training = (rs: RunResult[]) => cell(rs.map((r) => r.history.at(-1)!.accuracy));
  const rows = Object.entries(other).map(([name, alt]) => {
    const main = runs[name.replace(/-split60k$/, "")];
    if (!main) {
      throw new Error(
        `showSplitReadings: no runs of ${name.replace(/-split60k$/, "")} to set ${name} beside`,
      );
    }
    return {
      model: main[0].config.model,
      "test, of 70,000": test(main),
      "test, of 60,000": test(alt),
      "training, of 70,000": training(main),
      "training, of 60,000": training(alt),
    };
  });
  await showTable(rows, {
    caption:
      `Accuracy (%) under the two readings of the 60:20:20 split: 42,000/14,000/14,000 of all 70,000 ` +
      `images, or 36,000/12,000/12,000 of the 60,000 training images; ${profileOf(Object.values(other)[0])}`,
  });
}
