/**
 * Why runs fail, shown from evidence: each run's outcome (did it learn, how many classes it still
 * predicts), how many runs of each configuration learned, how a recipe's first batches go (a loss that
 * collapses to chance or runs off to minus infinity), and what three losses compute on the same scores.
 *
 * @module
 */
import { points } from "../../format.ts";
import * as Plot from "@observablehq/plot";
import * as tf from "@tensorflow/tfjs";
import type { RunResult } from "../../training/store.ts";
import { lossFunction } from "../../training/losses.ts";
import { buildModel } from "../registry.ts";
import { loadFashionMnist } from "../../data/fashion_mnist.ts";
import { learned, LEARNED_ABOVE, summarize } from "../../analysis/diagnosis.ts";
import { initBackend } from "../../backend/select.ts";
import { figure, plotSvg } from "../../presentation/plots.ts";
import { plural, showFigure, showTable } from "../../presentation/notebook.ts";

const TRACE_COLORS = ["#4e79a7", "#f28e2c", "#e15759", "#76b7b2", "#59a14f"];
const loss = (x: number | null) => x === null || !Number.isFinite(x) ? "NaN" : x.toFixed(4);

/** Classes a run predicts for at least one test image (10 for a model that learned; 1 for a collapsed one). */
export function classesPredicted(run: RunResult): number {
  const columns = run.test.confusion[0].map((_, j) => run.test.confusion.reduce((s, row) => s + row[j], 0));
  return columns.filter((n) => n > 0).length;
}

/**
 * One row per run of each group: last-epoch training loss and accuracy, test loss and accuracy, training
 * accuracy epoch by epoch (runs of up to 5 epochs), the number of classes it predicts, and whether it
 * learned (test accuracy above {@link LEARNED_ABOVE}).
 */
export async function showRunOutcomes(groups: Record<string, RunResult[]>, caption: string): Promise<void> {
  await showTable(
    Object.entries(groups).flatMap(([label, runs]) =>
      runs.map((r) => ({
        run: label,
        seed: r.config.seed,
        "training loss": loss(r.history.at(-1)!.loss),
        "training acc. (%)": points(r.history.at(-1)!.accuracy),
        "test loss": loss(r.test.loss),
        "test acc. (%)": points(r.test.accuracy),
        "training acc. by epoch (%)": r.history.length <= 5
          ? r.history.map((h) => (100 * h.accuracy).toFixed(1)).join(" → ")
          : "—",
        "classes predicted": classesPredicted(r),
        learned: learned(r) ? "yes" : "no",
      }))
    ),
    { caption, digits: 4 },
  );
}

/**
 * Per experiment, how many of its runs learned, and test accuracy over all runs and over the runs that
 * learned: a configuration whose outcome depends on the seed shows as "k of n".
 */
export async function showLearnedCounts(groups: Record<string, RunResult[]>): Promise<void> {
  const rows = [];
  for (const [name, runs] of Object.entries(groups)) {
    const ok = runs.filter(learned);
    const mean = (rs: RunResult[]) =>
      rs.length ? points(summarize(rs.map((r) => r.test.accuracy)).mean) : "—";
    rows.push({
      experiment: name,
      learned: `${ok.length} of ${runs.length}`,
      "failed seeds": runs.filter((r) => !learned(r)).map((r) => r.config.seed).join(", ") || "—",
      "test acc., all runs (%)": mean(runs),
      "test acc., runs that learned (%)": mean(ok),
    });
  }
  await showTable(rows, {
    caption: `Runs that learned (test accuracy above ${100 * LEARNED_ABOVE}%; chance is 10%), per ` +
      `configuration; profile ${Object.values(groups)[0][0].config.profile}`,
  });
}

/**
 * The loss after each of the first batches of each experiment's recipe (`traces`: experiment name →
 * `lossPerBatch(experiment, batches)`), on a symmetric log scale, with where it first goes below zero and
 * where it overflows to NaN.
 */
export async function showLossPerBatch(name: string, traceOf: Record<string, number[]>): Promise<void> {
  const experiments = Object.keys(traceOf);
  const traces = experiments.map((e) => ({ experiment: e, losses: traceOf[e] }));
  const batches = Math.max(...traces.map((t) => t.losses.length));
  const notes = traces.map(({ experiment, losses }) => {
    const negative = losses.findIndex((l) => l < 0), nan = losses.findIndex((l) => !Number.isFinite(l));
    const finite = losses.filter(Number.isFinite);
    return {
      experiment,
      first: Number(losses[0].toPrecision(3)),
      lowest: Number(Math.min(...finite).toPrecision(3)),
      highest: Number(Math.max(...finite).toPrecision(3)),
      "last finite": Number(finite.at(-1)!.toPrecision(3)),
      "below zero from batch": negative < 0 ? "never" : negative + 1,
      "NaN from batch": nan < 0 ? "never" : nan + 1,
    };
  });
  await showTable(notes, {
    caption: `The first ${plural(batches, "batch", "batches")} of each recipe, seed 1`,
  });
  // A symmetric log scale down to FLOOR: a loss that runs further off is drawn at the floor, labelled.
  const FLOOR = -1e4;
  const points = traces.flatMap(({ experiment, losses }) =>
    losses.flatMap((l, i) =>
      Number.isFinite(l)
        ? [{
          experiment,
          batch: i + 1,
          loss: Math.max(l, FLOOR),
          actual: l,
          nanNext: Number.isNaN(losses[i + 1]),
        }]
        : []
    )
  );
  const beyond = points.filter((p) => p.actual < FLOOR);
  const colors = experiments.map((_, i) => TRACE_COLORS[i % TRACE_COLORS.length]);
  const ticks = [-1e4, -1e3, -100, -10, -1, 0, 1, 10];
  const chart = plotSvg({
    width: 620,
    height: 340,
    marginLeft: 60,
    x: { label: "batch", domain: [1, batches] },
    y: {
      type: "symlog",
      domain: [FLOOR, 20],
      ticks,
      tickFormat: (d: number) => d.toLocaleString("en-US"),
      label: "loss of the batch (symmetric log scale)",
      grid: true,
    },
    color: { domain: experiments, range: colors },
    marks: [
      Plot.ruleY([0], { stroke: "#999" }),
      Plot.line(points, { x: "batch", y: "loss", stroke: "experiment", strokeWidth: 1.5 }),
      Plot.dot(points, { x: "batch", y: "loss", fill: "experiment", r: 2 }),
      Plot.text(beyond, {
        x: "batch",
        y: "loss",
        text: (d: { actual: number; nanNext: boolean }) =>
          `${d.actual.toExponential(1)}${d.nanNext ? ", then NaN" : ""}`,
        dx: 6,
        dy: -8,
        textAnchor: "start",
        fontSize: 10,
      }),
    ],
  });
  await showFigure(
    name,
    figure(chart, {
      title: "How each recipe starts: the loss batch by batch",
      subtitle: "a line ends where the loss overflowed to NaN; from there the run learns nothing",
      legend: { labels: experiments, colors },
    }),
  );
}

/**
 * What CrossEntropyLoss, NLLLoss on the raw scores and NLLLoss on log-softmax scores give for the same
 * scores: the untrained TinyVGG's on 64 test images, and the same scores times 10 (a more confident
 * network). NLLLoss on log-probabilities is cross-entropy exactly; on raw scores it falls without bound as
 * the scores grow.
 */
export async function showLossReadings(model = "004-tinyvgg"): Promise<void> {
  await initBackend();
  const { test } = await loadFashionMnist();
  const net = buildModel(model, 1);
  const rows = tf.tidy(() => {
    const n = 64;
    const xs = tf.tensor4d(Float32Array.from(test.images.subarray(0, n * 784), (v) => v / 255), [
      n,
      28,
      28,
      1,
    ]);
    const ys = tf.tensor1d(Array.from(test.labels.subarray(0, n)), "int32");
    const raw = net.predict(xs) as tf.Tensor2D;
    const value = (name: "crossEntropy" | "nll", scores: tf.Tensor2D) =>
      Number(lossFunction(name, "logits")(scores, ys).dataSync()[0].toFixed(4));
    return [1, 10].map((scale) => {
      const scores = raw.mul(scale) as tf.Tensor2D;
      return {
        scores: scale === 1 ? "raw scores x" : `${scale}x`,
        "CrossEntropyLoss(x)": value("crossEntropy", scores),
        "NLLLoss(x)": value("nll", scores),
        "NLLLoss(log_softmax(x))": value("nll", tf.logSoftmax(scores) as tf.Tensor2D),
      };
    });
  });
  net.dispose();
  await showTable(rows, {
    caption: `Three losses on the same scores (${model}, untrained, seed 1, the first 64 test images)`,
  });
}
