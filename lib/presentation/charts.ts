/**
 * Figures of training runs: learning curves, confusion matrices, and seed-to-seed spread.
 *
 * @module
 */
import { mean } from "../format.ts";
import * as Plot from "@observablehq/plot";
import { CLASS_NAMES, IMAGE_SIZE } from "../data/fashion_mnist.ts";
import { figure, plotSvg, textWidth } from "./plots.ts";
import { encodeGrayPng, pngDataUrl } from "./png.ts";
import type { EpochRecord } from "../training/fit.ts";

const SERIES = { training: "#4e79a7", validation: "#f28e2c" };

/** The epoch (1-based) of lowest validation loss, or null without a validation set. */
function lowestValLossEpoch(history: EpochRecord[]): number | null {
  const scored = history.filter((h) => h.valLoss !== null);
  if (scored.length === 0) return null;
  return scored.reduce((best, h) => h.valLoss! < best.valLoss! ? h : best).epoch;
}

/**
 * Accuracy and loss per epoch, training beside validation (two panels), with a dotted rule at the epoch of
 * lowest validation loss when there is one (and more than one epoch); dots only on short runs.
 */
export function learningCurvesFigure(history: EpochRecord[], title: string, subtitle?: string): string {
  const best = history.length > 1 ? lowestValLossEpoch(history) : null;
  const long = (metric: "accuracy" | "loss") =>
    history.flatMap((h) => [
      { epoch: h.epoch, set: "training", value: metric === "accuracy" ? h.accuracy : h.loss },
      ...(h.valLoss === null ? [] : [{
        epoch: h.epoch,
        set: "validation",
        value: metric === "accuracy" ? h.valAccuracy! : h.valLoss,
      }]),
    ]);
  const panel = (metric: "accuracy" | "loss") =>
    plotSvg({
      width: 400,
      height: 280,
      marginLeft: 50,
      // Whole epochs only: a short run gets one tick per epoch (no "2" under 1.5 and 2).
      x: {
        label: "epoch",
        ticks: history.length <= 10 ? history.map((h) => h.epoch) : 10,
        tickFormat: "d",
      },
      y: { label: metric, grid: true, tickFormat: metric === "accuracy" ? "%" : undefined },
      color: { domain: Object.keys(SERIES), range: Object.values(SERIES) },
      marks: [
        ...(best === null ? [] : [Plot.ruleX([best], { stroke: "#777", strokeDasharray: "2,3" })]),
        Plot.line(long(metric), { x: "epoch", y: "value", z: "set", stroke: "set", strokeWidth: 2 }),
        ...(history.length > 30
          ? []
          : [Plot.dot(long(metric), { x: "epoch", y: "value", fill: "set", r: 3 })]),
      ],
    });
  const marked = best === null ? undefined : `dotted: lowest validation loss (epoch ${best})`;
  const shown = Object.keys(SERIES).filter((set) =>
    set === "training" || history.some((h) => h.valLoss !== null)
  );
  return figure([panel("accuracy"), panel("loss")], {
    title,
    subtitle: [subtitle, marked].filter(Boolean).join("; ") || undefined,
    legend: { labels: shown, colors: shown.map((set) => SERIES[set as keyof typeof SERIES]) },
  });
}

/** A confusion matrix as a heatmap with counts, rows = true class, columns = predicted class. */
export function confusionFigure(confusion: number[][], title: string, subtitle?: string): string {
  const cells = confusion.flatMap((row, t) =>
    row.map((count, p) => ({
      true: CLASS_NAMES[t],
      predicted: CLASS_NAMES[p],
      count,
      share: count / Math.max(1, row.reduce((a, b) => a + b, 0)),
      diagonal: t === p,
    }))
  );
  const chart = plotSvg({
    width: 620,
    height: 520,
    marginLeft: 90,
    marginBottom: 80,
    padding: 0.03,
    x: { domain: CLASS_NAMES, label: "predicted", tickRotate: -35 },
    y: { domain: CLASS_NAMES, label: "true" },
    color: { type: "sqrt", scheme: "blues", domain: [0, 1] },
    marks: [
      Plot.cell(cells, { x: "predicted", y: "true", fill: "share" }),
      Plot.text(cells.filter((c) => c.count > 0), {
        x: "predicted",
        y: "true",
        text: (d) => String(d.count),
        fill: (d) => (d.share > 0.45 ? "white" : "#222"),
        fontSize: 10,
      }),
    ],
  });
  return figure(chart, { title, subtitle });
}

/** One dot per seed and a bar at the mean, per group (e.g. test accuracy of several models). */
export function seedSpreadFigure(
  rows: { group: string; seed: number; value: number }[],
  title: string,
  label: string,
  subtitle?: string,
): string {
  const groups = [...new Set(rows.map((r) => r.group))];
  const means = groups.map((g) => {
    const v = rows.filter((r) => r.group === g).map((r) => r.value);
    return { group: g, mean: mean(v) };
  });
  // As many decimals as the ticks need to differ (about 8 ticks over the values' span).
  const values = rows.map((r) => r.value);
  const span = Math.max(...values) - Math.min(...values) || 0.01;
  const decimals = Math.max(0, Math.min(3, Math.ceil(-Math.log10((100 * span) / 8))));
  const chart = plotSvg({
    width: Math.max(360, 110 * groups.length),
    height: 300,
    marginLeft: 60,
    x: { domain: groups, label: null },
    y: { label, grid: true, tickFormat: `.${decimals}%` },
    marks: [
      Plot.tickY(means, { x: "group", y: "mean", stroke: "#e15759", strokeWidth: 2 }),
      Plot.dot(rows, { x: "group", y: "value", fill: "#4e79a7", r: 4 }),
    ],
  });
  return figure(chart, { title, subtitle });
}

/**
 * A one-line finding for a confusion matrix: the class with the lowest recall and where its
 * images go, e.g. "Shirt is the hardest class (72% recall), mistaken for T-shirt/top, Pullover and Coat".
 */
export function confusionHeadline(confusion: number[][]): string {
  const recall = confusion.map((row, t) => row[t] / Math.max(1, row.reduce((a, b) => a + b, 0)));
  const worst = recall.indexOf(Math.min(...recall));
  const targets = confusion[worst]
    .map((count, p) => ({ p, count }))
    .filter((c) => c.p !== worst && c.count > 0)
    .sort((a, b) => b.count - a.count)
    .slice(0, 3)
    .map((c) => CLASS_NAMES[c.p]);
  const list = targets.length > 1
    ? `${targets.slice(0, -1).join(", ")} and ${targets.at(-1)}`
    : targets[0] ?? "nothing";
  return `${CLASS_NAMES[worst]} is the hardest class (${
    (100 * recall[worst]).toFixed(0)
  }% recall), mistaken for ${list}`;
}

/** Models side by side: test accuracy and macro F1 (left), parameter count on a log scale (right). */
export function comparisonFigure(
  rows: { model: string; accuracy: number; f1: number; parameters: number }[],
  title: string,
  subtitle?: string,
): string {
  const models = rows.map((r) => r.model);
  const long = rows.flatMap((r) => [
    { model: r.model, metric: "test accuracy", value: r.accuracy },
    { model: r.model, metric: "macro F1", value: r.f1 },
  ]);
  const low = Math.max(0, Math.floor(Math.min(...long.map((d) => d.value)) * 20) / 20 - 0.05);
  const scores = plotSvg({
    width: 460,
    height: 300,
    marginLeft: 50,
    marginBottom: 60,
    fx: { domain: models, label: null, tickRotate: -20, axis: "bottom", padding: 0.15 },
    x: { domain: ["test accuracy", "macro F1"], axis: null },
    y: { domain: [low, 1], grid: true, label: "score", tickFormat: ".0%" },
    color: { domain: ["test accuracy", "macro F1"], range: ["#4e79a7", "#f28e2c"] },
    marks: [
      Plot.barY(long, { fx: "model", x: "metric", y1: low, y2: "value", fill: "metric" }),
      Plot.text(long.filter((d) => d.metric === "test accuracy"), {
        fx: "model",
        x: "metric",
        y: "value",
        text: (d) => `${(100 * d.value).toFixed(1)}`,
        dy: -6,
        fontSize: 9,
      }),
    ],
  });
  const params = plotSvg({
    width: 320,
    height: 300,
    marginLeft: 60,
    marginBottom: 60,
    x: { domain: models, label: null, tickRotate: -20 },
    y: {
      type: "log",
      label: "parameters",
      grid: true,
      domain: [1000, 2 * Math.max(...rows.map((r) => r.parameters))],
    },
    marks: [Plot.barY(rows, { x: "model", y1: 1000, y2: "parameters", fill: "#9c755f" })],
  });
  return figure([scores, params], {
    title,
    subtitle,
    legend: { labels: ["test accuracy", "macro F1"], colors: ["#4e79a7", "#f28e2c"] },
  });
}

/** Per-class scores side by side, e.g. a paper's F1 beside ours (mean over seeds, with the seed range). */
export function perClassComparisonFigure(
  rows: { class: string; source: string; value: number; min?: number; max?: number }[],
  title: string,
  subtitle?: string,
): string {
  const sources = [...new Set(rows.map((r) => r.source))];
  const colors = ["#9c755f", "#4e79a7", "#f28e2c"];
  const chart = plotSvg({
    width: 760,
    height: 340,
    marginLeft: 50,
    marginBottom: 70,
    fx: { domain: CLASS_NAMES, label: null, tickRotate: -30, axis: "bottom", padding: 0.12 },
    x: { domain: sources, axis: null },
    y: { domain: [0.5, 1], grid: true, label: "F1" },
    color: { domain: sources, range: colors },
    marks: [
      Plot.barY(rows, { fx: "class", x: "source", y1: 0.5, y2: "value", fill: "source" }),
      Plot.ruleX(rows.filter((r) => r.min !== undefined), {
        fx: "class",
        x: "source",
        y1: "min",
        y2: "max",
        stroke: "#222",
      }),
    ],
  });
  return figure(chart, { title, subtitle, legend: { labels: sources, colors } });
}

/** One test image with its true label and the model's ten class probabilities. */
export interface Prediction {
  pixels: ArrayLike<number>;
  label: number;
  probabilities: ArrayLike<number>;
}

/**
 * A gallery of test images, each above a bar chart of its ten class probabilities: the predicted class
 * and its confidence in green when right and red when wrong, the true class (when wrong) in blue, as in
 * TensorFlow's "Basic classification" tutorial. `context` (which run, say) opens the subtitle.
 */
export function predictionGridFigure(
  items: Prediction[],
  title: string,
  context?: string,
  columns = 6,
): string {
  const RIGHT = "#59a14f", WRONG = "#e15759";
  const cells = items.map((item, i) => {
    const p = Array.from(item.probabilities);
    const predicted = p.indexOf(Math.max(...p));
    return {
      i,
      row: Math.floor(i / columns),
      column: i % columns,
      item,
      p,
      predicted,
      ok: predicted === item.label,
    };
  });
  const bars = cells.flatMap((c) =>
    c.p.map((value, k) => ({
      row: c.row,
      column: c.column,
      k,
      value,
      fill: k === c.predicted ? (c.ok ? RIGHT : WRONG) : k === c.item.label ? "#4e79a7" : "#bbb",
    }))
  );
  const caption = (c: typeof cells[number]) =>
    `${CLASS_NAMES[c.predicted]} ${(100 * c.p[c.predicted]).toFixed(0)}%` +
    (c.ok ? "" : ` (${CLASS_NAMES[c.item.label]})`);
  const images = cells.map((c) => ({
    row: c.row,
    column: c.column,
    src: pngDataUrl(encodeGrayPng(Array.from(c.item.pixels, (v) => 255 - v), IMAGE_SIZE, IMAGE_SIZE, 2)),
  }));
  // Columns wide enough for the longest caption (10 px text), so neighbours never touch.
  const columnWidth = Math.max(130, ...cells.map((c) => textWidth(caption(c), 10, false) / 0.9 + 16));
  const chart = plotSvg({
    width: 20 + columns * columnWidth,
    height: 20 + Math.ceil(items.length / columns) * 150,
    marginLeft: 10,
    marginRight: 10,
    marginTop: 10,
    marginBottom: 10,
    fx: { domain: d3Range(columns), axis: null, padding: 0.08 },
    fy: { domain: d3Range(Math.ceil(items.length / columns)), axis: null, padding: 0.08 },
    x: { domain: [-0.5, 9.5], axis: null },
    y: { domain: [0, 2.25], axis: null },
    marks: [
      Plot.rectY(bars, {
        fx: "column",
        fy: "row",
        x1: (d) => d.k - 0.4,
        x2: (d) => d.k + 0.4,
        y: "value",
        fill: (d) => d.fill,
      }),
      Plot.ruleY([0], { stroke: "#999" }),
      Plot.image(images, {
        fx: "column",
        fy: "row",
        x: 4.5,
        y: 1.55,
        src: "src",
        width: 64,
        height: 64,
        imageRendering: "pixelated",
      }),
      Plot.text(cells, {
        fx: "column",
        fy: "row",
        x: 4.5,
        y: 2.2,
        text: caption,
        fill: (c) => (c.ok ? RIGHT : WRONG),
        fontSize: 10,
      }),
    ],
  });
  return figure(chart, {
    title,
    subtitle: `${context ? `${context}; ` : ""}` +
      "bars: the ten class probabilities (predicted class coloured, true class blue when missed)",
    legend: { labels: ["right", "wrong", "true class, when missed"], colors: [RIGHT, WRONG, "#4e79a7"] },
  });
}

const d3Range = (n: number) => Array.from({ length: n }, (_, i) => i);
