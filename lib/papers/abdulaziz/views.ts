/**
 * Abdul Aziz & Sayed's own views: per-class F1 beside the paper's table, and the epoch-by-epoch fit.
 *
 * @module
 */
import { round } from "../../format.ts";
import { profileOf } from "../../presentation/run_views.ts";
import { CLASS_NAMES } from "../../data/fashion_mnist.ts";
import { type RunResult } from "../../training/store.ts";
import { summarize } from "../../analysis/diagnosis.ts";
import { reportFromConfusion } from "../../analysis/metrics.ts";
import { perClassComparisonFigure } from "../../presentation/charts.ts";
import { plural, showFigure, showTable } from "../../presentation/notebook.ts";

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
