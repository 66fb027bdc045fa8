/**
 * Awasthi & Soni's own views: the split as Keras would print it, learning curves overlaid, the fit by the paper's rules epoch by epoch, and what early stopping would have done.
 *
 * @module
 */
import { mean, points } from "../../format.ts";
import { bestEpoch, spans } from "../../presentation/fit_views.ts";
import * as Plot from "@observablehq/plot";
import { loadFashionMnist } from "../../data/fashion_mnist.ts";
import { type RunResult } from "../../training/store.ts";
import { type ExperimentConfig } from "../../training/config.ts";
import { experimentData } from "../../training/runs.ts";
import {
  classifyEpochs,
  type FitState,
  overfittingFrom,
  replayEarlyStopping,
} from "../../analysis/diagnosis.ts";
import { plural, showFigure, showTable } from "../../presentation/notebook.ts";
import { type EpochRecord } from "../../training/fit.ts";
import { figure, plotSvg } from "../../presentation/plots.ts";

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

const MODEL_COLORS = ["#4e79a7", "#e15759", "#59a14f", "#b07aa1"];

/**
 * Training (dashed) and validation (solid) accuracy and loss of several models over epochs, one colour per
 * model, with a rule at each model's epoch of lowest validation loss.
 */
export function curvesOverlayFigure(
  series: { label: string; history: EpochRecord[] }[],
  title: string,
  subtitle?: string,
): string {
  const colors = series.map((_, i) => MODEL_COLORS[i % MODEL_COLORS.length]);
  const points = (metric: "accuracy" | "loss") =>
    series.flatMap(({ label, history }) =>
      history.flatMap((h) => [
        { epoch: h.epoch, model: label, set: "training", value: metric === "accuracy" ? h.accuracy : h.loss },
        {
          epoch: h.epoch,
          model: label,
          set: "validation",
          value: metric === "accuracy" ? h.valAccuracy : h.valLoss,
        },
      ])
    ).filter((p) => p.value !== null);
  const marks = series.map(({ label, history }) => ({ model: label, epoch: bestEpoch(history) }));
  const panel = (metric: "accuracy" | "loss") =>
    plotSvg({
      width: 420,
      height: 300,
      marginLeft: 50,
      x: { label: "epoch" },
      y: metric === "loss"
        ? { label: "loss (log scale)", grid: true, type: "log", tickFormat: "~g" }
        : { label: "accuracy", grid: true, tickFormat: "%" },
      color: { domain: series.map((s) => s.label), range: colors },
      marks: [
        Plot.ruleX(marks, { x: "epoch", stroke: "model", strokeOpacity: 0.5, strokeDasharray: "2,3" }),
        ...(["training", "validation"] as const).map((set) =>
          Plot.line(points(metric).filter((p) => p.set === set), {
            x: "epoch",
            y: "value",
            z: "model",
            stroke: "model",
            strokeDasharray: set === "training" ? "5,3" : undefined,
            strokeWidth: 1.5,
          })
        ),
      ],
    });
  return figure([panel("accuracy"), panel("loss")], {
    title,
    subtitle: subtitle ?? "solid: validation; dashed: training; dotted rule: epoch of lowest validation loss",
    legend: { labels: series.map((s) => s.label), colors },
  });
}

/**
 * The first run of each model, curves overlaid (see {@link curvesOverlayFigure}), labelled by its seed when
 * a model has several.
 */
export async function showCurvesOverlay(name: string, models: Record<string, RunResult[]>): Promise<void> {
  const series = Object.entries(models).map(([label, runs]) => ({
    label: runs.length > 1 ? `${label}, seed ${runs[0].config.seed}` : label,
    history: runs[0].history,
  }));
  const epochs = Math.max(...series.map((s) => s.history.length));
  const best = series.map((s) => `${s.label} at epoch ${bestEpoch(s.history)}`).join(", ");
  await showFigure(name, curvesOverlayFigure(series, `Lowest validation loss: ${best} of ${epochs}`));
}

const FIT_STATES: readonly FitState[] = ["underfitting", "in between", "good fit", "overfitting"];

const FIT_COLORS = ["#9c9ede", "#d9d9d9", "#59a14f", "#e15759"];

/** One strip per labelled run, one cell per epoch coloured by its state under the paper's rules. */
export function fitTimelineFigure(rows: { label: string; states: FitState[] }[], title: string): string {
  const cells = rows.flatMap(({ label, states }) =>
    states.map((state, i) => ({ label, epoch: i + 1, state }))
  );
  const epochs = Math.max(...rows.map((r) => r.states.length));
  const panel = plotSvg({
    width: Math.max(420, Math.min(900, 160 + 7 * epochs)),
    height: 50 + 26 * rows.length,
    marginLeft: 150,
    x: { label: "epoch", domain: [0.5, epochs + 0.5] },
    y: { label: null, domain: rows.map((r) => r.label) },
    color: { domain: FIT_STATES, range: FIT_COLORS },
    marks: [
      Plot.barX(cells, { x1: (d) => d.epoch - 0.5, x2: (d) => d.epoch + 0.5, y: "label", fill: "state" }),
    ],
  });
  return figure(panel, {
    title,
    subtitle: "each epoch by the paper's three written rules (thresholds in lib/analysis/diagnosis.ts)",
    legend: { labels: FIT_STATES, colors: FIT_COLORS },
  });
}

/**
 * Per run, where each epoch stands by the paper's three rules and from which epoch it overfits for good;
 * with a figure name, also as a strip per run (see {@link fitTimelineFigure}).
 */
export async function showFitTimeline(models: Record<string, RunResult[]>, name?: string): Promise<void> {
  if (name) {
    const rows = Object.entries(models).flatMap(([label, runs]) =>
      runs.map((r) => ({
        label: runs.length > 1 ? `${label}, seed ${r.config.seed}` : label,
        states: classifyEpochs(r.history).map((f) => f.state),
      }))
    );
    const firsts = Object.entries(models).map(([label, runs]) => {
      const from = runs.map((r) => overfittingFrom(classifyEpochs(r.history)) ?? Infinity);
      const [lo, hi] = [Math.min(...from), Math.max(...from)];
      const epoch = (e: number) => (e === Infinity ? "never" : `${e}`);
      return `${label} ${lo === hi ? epoch(lo) : `${epoch(lo)}-${epoch(hi)}`}`;
    });
    await showFigure(name, fitTimelineFigure(rows, `Overfitting for good from epoch: ${firsts.join(", ")}`));
  }
  await showTable(
    Object.entries(models).flatMap(([label, runs]) =>
      runs.map((r) => {
        const fits = classifyEpochs(r.history);
        return {
          model: label,
          seed: r.config.seed,
          "epochs by state": spans(fits.map((f) => f.state)),
          "overfitting for good from epoch": overfittingFrom(fits) ?? "—",
        };
      })
    ),
    {
      caption: "The paper's three fit rules applied to every epoch (thresholds in lib/analysis/diagnosis.ts)",
    },
  );
}

/** One row per run: what stopping on validation loss with `patience` would have done to it. */
export function earlyStoppingRows(models: Record<string, RunResult[]>, patience: number) {
  return Object.entries(models).flatMap(([label, runs]) =>
    runs.map((r) => {
      const stop = replayEarlyStopping(r.history, patience);
      const last = r.history.at(-1)!;
      // every epoch's own seconds: a resumed run's timing covers only the process that finished it
      const total = r.history.reduce((sum, h) => sum + h.seconds, 0);
      return {
        model: label,
        seed: r.config.seed,
        "stops after epoch": stop.stopEpoch,
        "best epoch": stop.bestEpoch,
        "val. acc. at stop (%)": Number((100 * stop.valAccuracyAtStop).toFixed(2)),
        "val. acc. at the end (%)": Number((100 * last.valAccuracy!).toFixed(2)),
        "epochs saved": stop.epochsSaved,
        "time saved": `${(stop.secondsSaved / 60).toFixed(0)} of ${(total / 60).toFixed(0)} min`,
      };
    })
  );
}

/** What stopping on validation loss with `patience` would have done to each run, as a table. */
export async function showEarlyStopping(
  models: Record<string, RunResult[]>,
  patience: number,
): Promise<void> {
  await showTable(earlyStoppingRows(models, patience), {
    caption:
      `Early stopping on validation loss with patience ${plural(patience, "epoch")}, replayed on the ` +
      `recorded histories (time: each epoch's seconds as recorded, on a machine not always idle)`,
    digits: 2,
  });
}

/**
 * One row per run: validation accuracy and the train-validation gap at the last epoch beside their mean
 * (and the accuracy's range) over the last `epochs` epochs, since one epoch's reading can sit in a dip.
 */
export function lastEpochsRows(models: Record<string, RunResult[]>, epochs: number) {
  const pts = (x: number) => Number((100 * x).toFixed(2));
  return Object.entries(models).flatMap(([label, runs]) =>
    runs.map((r) => {
      const tail = r.history.slice(-epochs), last = r.history.at(-1)!;
      const val = tail.map((h) => h.valAccuracy!), gaps = tail.map((h) => h.accuracy - h.valAccuracy!);
      return {
        model: label,
        seed: r.config.seed,
        "val. acc. at the end (%)": pts(last.valAccuracy!),
        [`val. acc., last ${tail.length} epochs (%)`]: `${points(mean(val))} (${points(Math.min(...val))}-${
          points(Math.max(...val))
        })`,
        "gap at the end (pts)": pts(last.accuracy - last.valAccuracy!),
        [`gap, last ${tail.length} epochs (pts)`]: pts(mean(gaps)),
      };
    })
  );
}

/** The last epoch against the last `epochs` epochs' mean, per run, as a table (see {@link lastEpochsRows}). */
export async function showLastEpochs(models: Record<string, RunResult[]>, epochs: number): Promise<void> {
  await showTable(lastEpochsRows(models, epochs), {
    caption: `Validation accuracy and train-validation gap: the last epoch against the mean of the last ${
      plural(epochs, "epoch")
    }`,
    digits: 2,
  });
}
