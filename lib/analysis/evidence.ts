/**
 * The measurements behind claim checks: per-run numbers and yes/no tests read from stored runs (one
 * value per seed), and deterministic counts and facts about the data and the models. Each function
 * returns the value and a short text a reader can check it against.
 *
 * @module
 */
import { CLASS_NAMES, type FashionMnist, loadFashionMnist } from "../data/fashion_mnist.ts";
import { buildModel, countParams, layerSummary, MODELS } from "../models/registry.ts";
import { REFERENCE_MODELS } from "../models/reference_models.ts";
import { multiplyAdds } from "../models/complexity.ts";
import type { RunResult } from "../training/store.ts";
import type { CountMeasure, Fact, RunMeasure, RunTest } from "./catalogue.ts";
import { diagnoseFit } from "./diagnosis.ts";
import { reportFromConfusion } from "./metrics.ts";
import { fitPca, project } from "./pca.ts";
import { measurementsDir, storedMeasurement } from "./measurements.ts";
import { UserError } from "../errors.ts";
import type * as tf from "@tensorflow/tfjs";

/** The index of a class name, or a clear error naming the known ones. */
export function classIndex(name: string): number {
  const i = CLASS_NAMES.indexOf(name as typeof CLASS_NAMES[number]);
  if (i < 0) throw new UserError(`unknown class "${name}"; classes are ${CLASS_NAMES.join(", ")}`);
  return i;
}

const points = (x: number) => 100 * x;
const last = (run: RunResult) => run.history.at(-1)!;
const report = (run: RunResult) => reportFromConfusion(run.test.confusion, CLASS_NAMES);

/**
 * One run's value of a measure, in the measure's unit (accuracies and gaps in points). A loss that diverged
 * (stored as null: JSON has no NaN or infinity) comes back as NaN.
 */
export function runMeasure(run: RunResult, measure: RunMeasure, className?: string): number {
  return measureOf(run, measure, className) ?? NaN;
}

function measureOf(run: RunResult, measure: RunMeasure, className?: string): number | null {
  const needClass = () => {
    if (!className) throw new UserError(`measure "${measure}" needs a class`);
    return report(run).classes[classIndex(className)];
  };
  switch (measure) {
    case "test-accuracy":
      return points(run.test.accuracy);
    case "test-error-rate":
      return 100 - points(run.test.accuracy);
    case "train-accuracy":
      return points(last(run).accuracy);
    case "val-accuracy":
      return points(validation(run).valAccuracy);
    case "train-val-gap":
      return points(last(run).accuracy - validation(run).valAccuracy);
    case "train-test-gap":
      return points(last(run).accuracy - run.test.accuracy);
    case "test-loss":
      return run.test.loss;
    case "train-loss":
      return last(run).loss;
    case "epoch-seconds":
      return run.timing.meanEpochSeconds;
    case "train-seconds":
      return run.timing.trainSeconds;
    case "val-loss":
      return validation(run).valLoss;
    case "macro-f1":
      return report(run).macro.f1;
    case "macro-precision":
      return report(run).macro.precision;
    case "macro-recall":
      return report(run).macro.recall;
    case "class-f1":
      return needClass().f1;
    case "class-precision":
      return needClass().precision;
    case "class-recall":
      return needClass().recall;
  }
}

function validation(run: RunResult): { valLoss: number | null; valAccuracy: number } {
  const { valLoss, valAccuracy } = last(run);
  if (valAccuracy === null) {
    throw new UserError(`run ${run.key} has no validation set; pick a measure on the test set`);
  }
  return { valLoss, valAccuracy };
}

/** Test errors from classes `from` predicted as classes `to` (confusion[true][predicted]). */
function errorsBetween(run: RunResult, from: string[], to: string[]): number {
  let n = 0;
  for (const f of from) {
    for (const t of to) if (f !== t) n += run.test.confusion[classIndex(f)][classIndex(t)];
  }
  return n;
}

/** The wrong labels `name` is most often predicted as, most frequent first. */
function confusionsOf(run: RunResult, name: string): string[] {
  const i = classIndex(name);
  return run.test.confusion[i]
    .map((count, j) => ({ count, j }))
    .filter(({ j }) => j !== i)
    .sort((a, b) => b.count - a.count || a.j - b.j)
    .map(({ j }) => CLASS_NAMES[j]);
}

function curve(run: RunResult, name: "train" | "val" | "train-loss" | "val-loss"): number[] {
  return run.history.map((h) => {
    const v = { train: h.accuracy, val: h.valAccuracy, "train-loss": h.loss, "val-loss": h.valLoss }[name];
    if (v === null) throw new UserError(`run ${run.key} has no validation curve`);
    return name.endsWith("loss") ? v : points(v);
  });
}

const fmt = (x: number, digits = 1) => x.toFixed(digits);
const SCORE_MEASURES: readonly RunMeasure[] = [
  "macro-f1",
  "macro-precision",
  "macro-recall",
  "class-f1",
  "class-precision",
  "class-recall",
  "test-loss",
  "val-loss",
  "train-loss",
];
/** A measured value as text: points to 2 decimals, scores and losses to 3. */
const measureText = (measure: RunMeasure, x: number) => fmt(x, SCORE_MEASURES.includes(measure) ? 3 : 2);
const f1s = (run: RunResult) => report(run).classes.map((c) => c.f1);

/** Whether a statement holds in one run, and what was seen. `other(name)` is the same seed's run of `name`. */
export function runTest(
  run: RunResult,
  test: RunTest,
  other: (name: string) => RunResult,
): { holds: boolean; seen: string } {
  switch (test.test) {
    case "confuses": {
      const top = confusionsOf(run, test.class).slice(0, test.top ?? 1);
      return { holds: top.some((c) => test.with.includes(c)), seen: top.join("/") };
    }
    case "no-errors-between": {
      const n = errorsBetween(run, test.from, test.to);
      return { holds: n <= (test.max ?? 0), seen: `${n}` };
    }
    case "errors-within": {
      const errors = run.test.count - run.test.confusion.reduce((s, row, i) => s + row[i], 0);
      const share = errorsBetween(run, test.classes, test.classes) / errors;
      return { holds: share >= test.share, seen: `${fmt(points(share), 0)}%` };
    }
    case "largest-confusion-pair": {
      const m = run.test.confusion;
      let best = [0, 1];
      for (let a = 0; a < 10; a++) {
        for (let b = a + 1; b < 10; b++) {
          if (m[a][b] + m[b][a] > m[best[0]][best[1]] + m[best[1]][best[0]]) best = [a, b];
        }
      }
      const names = best.map((i) => CLASS_NAMES[i] as string);
      const holds = test.classes.every((c) => names.includes(c));
      return { holds, seen: `${names.join("<->")} (${m[best[0]][best[1]] + m[best[1]][best[0]]})` };
    }
    case "lowest-f1": {
      const scores = f1s(run);
      const lowest = CLASS_NAMES[scores.indexOf(Math.min(...scores))];
      return { holds: lowest === test.class, seen: lowest };
    }
    case "highest-f1": {
      const ranked = f1s(run).map((f1, i) => ({ f1, name: CLASS_NAMES[i] })).sort((a, b) => b.f1 - a.f1);
      const top: string[] = ranked.slice(0, test.classes.length).map((r) => r.name);
      return { holds: test.classes.every((c) => top.includes(c)), seen: top.join("/") };
    }
    case "f1-at-least":
    case "f1-at-most": {
      const scores = test.classes.map((c) => f1s(run)[classIndex(c)]);
      const holds = test.test === "f1-at-least"
        ? scores.every((s) => s >= test.min)
        : scores.every((s) => s <= test.max);
      return { holds, seen: scores.map((s) => fmt(s, 2)).join("/") };
    }
    case "val-loss-min-between": {
      const losses = curve(run, "val-loss");
      const best = losses.indexOf(Math.min(...losses)) + 1;
      const rises = losses.at(-1)! > losses[best - 1];
      return { holds: best >= test.from && best <= test.to && rises, seen: `min at epoch ${best}` };
    }
    case "fit": {
      const verdict = diagnoseFit(run.history).verdict;
      return { holds: verdict === test.fit, seen: verdict };
    }
    case "gap-at-most-until": {
      const gaps = run.history.slice(0, test.epoch).map((h) => points(h.accuracy - (h.valAccuracy ?? NaN)));
      const worst = Math.max(...gaps);
      return { holds: worst <= test.max, seen: `max ${fmt(worst)} pts` };
    }
    case "plateau-by": {
      const values = curve(run, test.curve);
      const short = Math.max(...values) - values[test.epoch - 1];
      return { holds: short <= test.within, seen: `${fmt(short)} pts below best` };
    }
    case "rises-until": {
      const values = curve(run, test.curve).slice(0, test.epoch);
      const falls = values.findIndex((v, i) => i > 0 && v <= values[i - 1]);
      return { holds: falls < 0, seen: falls < 0 ? "rises" : `falls at epoch ${falls + 1}` };
    }
    case "mostly-by": {
      const values = curve(run, test.curve);
      const share = (values[test.epoch - 1] - values[0]) / (values.at(-1)! - values[0]);
      return { holds: share >= test.share, seen: `${fmt(points(share), 0)}% by epoch ${test.epoch}` };
    }
    case "compare": {
      const a = runMeasure(run, test.measure), b = runMeasure(other(test.other), test.measure);
      const holds = test.relation === ">"
        ? a > b
        : test.relation === "<"
        ? a < b
        : Math.abs(a - b) <= test.within!;
      return { holds, seen: `${measureText(test.measure, a)} vs ${measureText(test.measure, b)}` };
    }
    case "extreme": {
      const values = [run, ...test.among.map(other)].map((r) => runMeasure(r, test.measure));
      const target = test.which === "max" ? Math.max(...values) : Math.min(...values);
      return {
        holds: values[0] === target,
        seen: values.map((v) => measureText(test.measure, v)).join(" vs "),
      };
    }
    case "same-predictions": {
      const same = run.test.predicted === other(test.other).test.predicted;
      return { holds: same, seen: same ? "identical" : "different" };
    }
  }
}

let dataset: Promise<FashionMnist> | null = null;
const data = () => dataset ??= loadFashionMnist();

function withModel<T>(name: string, use: (model: tf.LayersModel) => T): T {
  const build = REFERENCE_MODELS[name] ?? (MODELS[name] ? () => buildModel(name) : null);
  if (!build) {
    const known = [...Object.keys(MODELS), ...Object.keys(REFERENCE_MODELS)].join(", ");
    throw new UserError(`unknown model "${name}"; known: ${known}`);
  }
  const model = build();
  try {
    return use(model);
  } finally {
    model.dispose();
  }
}

const counts = new Map<string, number>();

/**
 * Relative tolerance of counted multiply-adds: published counts differ by convention (some include
 * squeeze-and-excitation scaling, activations or pooling; ours counts convolutions and dense layers
 * only), by up to about 2% on the reference networks (tests/models/complexity_test.ts).
 */
export const MULTIPLY_ADDS_TOLERANCE = 0.02;

/** A deterministic count: parameters, float32 megabytes or multiply-adds of a model, or a dataset size. */
export async function countMeasure(measure: CountMeasure, model?: string, layer?: number): Promise<number> {
  const cacheKey = `${measure}:${model ?? ""}:${layer ?? ""}`;
  if (counts.has(cacheKey)) return counts.get(cacheKey)!;
  const needModel = () => {
    if (!model) throw new UserError(`count "${measure}" needs a model`);
    return model;
  };
  let value: number;
  switch (measure) {
    case "params":
      value = withModel(needModel(), (m) => countParams(m).total);
      break;
    case "trainable-params":
      value = withModel(needModel(), (m) => countParams(m).trainable);
      break;
    case "non-trainable-params":
      value = withModel(needModel(), (m) => countParams(m).nonTrainable);
      break;
    case "layer-params":
    case "layer-trainable-params":
    case "layer-kernel":
    case "layer-biases":
      value = withModel(needModel(), (m) => layerCount(m, measure, layer));
      break;
    case "weights-mb":
      value = withModel(needModel(), (m) => countParams(m).total * 4 / 1e6);
      break;
    case "multiply-adds":
      value = withModel(needModel(), multiplyAdds);
      break;
    case "dataset-images":
      value = (await data()).train.count + (await data()).test.count;
      break;
    case "train-images":
      value = (await data()).train.count;
      break;
    case "test-images":
      value = (await data()).test.count;
      break;
    case "classes":
      value = CLASS_NAMES.length;
      break;
    case "pixels":
      value = (await data()).train.images.length / (await data()).train.count;
      break;
  }
  counts.set(cacheKey, value);
  return value;
}

/** A count of one layer: all its parameters, the trainable ones, its kernel's or its biases'. */
function layerCount(model: tf.LayersModel, measure: CountMeasure, index?: number): number {
  const layer = index === undefined ? undefined : model.layers[index];
  if (!layer) throw new UserError(`count "${measure}" needs a layer index of the model, got ${index}`);
  const size = (w: { shape: (number | null)[] }) => w.shape.reduce((a: number, b) => a * (b ?? 1), 1);
  if (measure === "layer-params") return layer.countParams();
  if (measure === "layer-trainable-params") return layer.trainableWeights.reduce((s, w) => s + size(w), 0);
  const part = measure === "layer-kernel" ? /kernel/ : /bias/;
  return layer.weights.filter((w) => part.test(w.name)).reduce((s, w) => s + size(w), 0);
}

function perClass(labels: Uint8Array): number[] {
  const n = new Array(CLASS_NAMES.length).fill(0);
  for (const l of labels) n[l]++;
  return n;
}

/**
 * Whether a deterministic statement about the data or a model holds, and what was seen; `unmeasured` says
 * why it cannot be judged yet (a timing that no notebook has stored).
 */
export async function checkFact(fact: Fact): Promise<{ holds: boolean; seen: string; unmeasured?: string }> {
  switch (fact.fact) {
    case "classes-balanced": {
      const { train, test } = await data();
      const [a, b] = [perClass(train.labels), perClass(test.labels)];
      const holds = new Set(a).size === 1 && new Set(b).size === 1;
      return {
        holds,
        seen: `${Math.min(...a)}-${Math.max(...a)} train, ${Math.min(...b)}-${Math.max(...b)} test`,
      };
    }
    case "pixel-range": {
      const { train } = await data();
      let [lo, hi] = [255, 0];
      for (const v of train.images) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
      return { holds: lo === fact.min && hi === fact.max, seen: `${lo}-${hi}` };
    }
    case "output-shape": {
      const shape = withModel(fact.model, (m) => layerSummary(m)[fact.layer]?.output ?? "none");
      const normal = (s: string) => s.replace(/[\[\]\s]|null,?|None,?/g, "").replace(/,/g, "x");
      return { holds: normal(shape) === normal(fact.shape), seen: shape };
    }
    case "same-architecture": {
      const describe = (name: string) =>
        withModel(name, (m) => JSON.stringify(layerSummary(m).map((l) => [l.output, l.params])));
      const same = describe(fact.model) === describe(fact.other);
      return { holds: same, seen: same ? "same layers and counts" : "different layers" };
    }
    case "pca-uncorrelated": {
      const { value } = await storedMeasurement("pca-score-correlation", "analysis", async () => {
        const { train } = await data();
        return maxCorrelation(project(fitPca(train), train, 10));
      });
      return {
        holds: value < PCA_CORRELATION_LIMIT,
        seen: `largest |r| between the first 10 components: ${value.toExponential(1)}`,
      };
    }
    case "latency-order": {
      const path = `${measurementsDir()}/${fact.measurement}.json`;
      let ms: Record<string, number>;
      try {
        ms = JSON.parse(await Deno.readTextFile(path)).value;
      } catch {
        const unmeasured = `not measured yet (${fact.measurement}): run the notebook cell that measures it`;
        return { holds: false, seen: "—", unmeasured };
      }
      const values = fact.models.map((m) => ms[m]);
      if (values.some((v) => typeof v !== "number")) {
        throw new UserError(`${path} lacks one of ${fact.models.join(", ")}; remeasure it`);
      }
      const holds = values.every((v, i) => i === 0 || v >= values[i - 1]);
      return { holds, seen: values.map((v) => `${v.toFixed(1)} ms`).join(holds ? " < " : " vs ") };
    }
    case "multiply-adds-order": {
      const values = await Promise.all(fact.models.map((m) => countMeasure("multiply-adds", m)));
      const holds = values.every((v, i) => i === 0 || v >= values[i - 1]);
      const text = values.map((v) => `${Number((v / 1e6).toPrecision(3))}M`);
      return { holds, seen: text.join(holds ? " <= " : " vs ") };
    }
  }
}

/**
 * Components count as uncorrelated below this |r|: PCA's scores are uncorrelated by construction, and
 * float32 arithmetic in the covariance leaves about 1e-5.
 */
export const PCA_CORRELATION_LIMIT = 1e-3;

/** The largest absolute Pearson correlation between two different columns of `rows`. */
export function maxCorrelation(rows: number[][]): number {
  const k = rows[0].length, n = rows.length;
  const mean = Array.from({ length: k }, (_, j) => rows.reduce((s, r) => s + r[j], 0) / n);
  const cov = (a: number, b: number) => rows.reduce((s, r) => s + (r[a] - mean[a]) * (r[b] - mean[b]), 0);
  let worst = 0;
  for (let a = 0; a < k; a++) {
    for (let b = a + 1; b < k; b++) {
      worst = Math.max(worst, Math.abs(cov(a, b) / Math.sqrt(cov(a, a) * cov(b, b))));
    }
  }
  return worst;
}
