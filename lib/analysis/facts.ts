/**
 * Evidence that needs no training: counts (parameters, megabytes, multiply-adds, dataset sizes) and facts
 * about the data, the models and stored timings, each computed from the library's own models and data.
 *
 * @module
 */
import { mean } from "../format.ts";
import { CLASS_NAMES, type FashionMnist, loadFashionMnist } from "../data/fashion_mnist.ts";
import { countParams, layerSummary } from "../models/spec.ts";
import { buildModel, MODELS } from "../papers/registry.ts";
import { REFERENCE_MODELS } from "../models/reference_models.ts";
import { multiplyAdds } from "../models/complexity.ts";
import type { RecipeTimes } from "../training/timing.ts";
import { type CountMeasure, type Fact, TIME_ORDER_MARGIN } from "./catalogue.ts";
import { fitPca, project } from "./pca.ts";
import { measurementsDir, storedMeasurement } from "./measurements.ts";
import { UserError } from "../errors.ts";
import type * as tf from "@tensorflow/tfjs";

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
    case "trainable-mib":
      value = withModel(needModel(), (m) => countParams(m).trainable * 4 / 2 ** 20);
      break;
    case "non-trainable-kib":
      value = withModel(needModel(), (m) => countParams(m).nonTrainable * 4 / 2 ** 10);
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
    case "time-order": {
      let times: RecipeTimes;
      try {
        times = JSON.parse(await Deno.readTextFile(`${measurementsDir()}/${fact.measurement}.json`)).value;
      } catch {
        const unmeasured =
          `not measured yet (${fact.measurement}): run the notebook cell that times the recipes`;
        return { holds: false, seen: "—", unmeasured };
      }
      const seconds = (name: string) => {
        const epochs = times.epochSeconds[name];
        if (!epochs) throw new UserError(`${fact.measurement} has no timing of ${name}; remeasure it`);
        const average = mean(epochs);
        return fact.per === "epoch" ? average : average * times.epochs[name];
      };
      const fast = fact.faster.map(seconds), slow = fact.slower.map(seconds);
      const holds = Math.max(...fast) * (1 + TIME_ORDER_MARGIN) < Math.min(...slow);
      const list = (xs: number[]) => xs.map((x) => x.toFixed(1)).join(", ");
      const per = fact.per === "epoch" ? "s per epoch" : "s per run";
      return { holds, seen: `${list(fast)} vs ${list(slow)} ${per} (idle)` };
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
  const means = Array.from({ length: k }, (_, j) => rows.reduce((s, r) => s + r[j], 0) / n);
  const cov = (a: number, b: number) => rows.reduce((s, r) => s + (r[a] - means[a]) * (r[b] - means[b]), 0);
  let worst = 0;
  for (let a = 0; a < k; a++) {
    for (let b = a + 1; b < k; b++) {
      worst = Math.max(worst, Math.abs(cov(a, b) / Math.sqrt(cov(a, a) * cov(b, b))));
    }
  }
  return worst;
}
