/**
 * Band et al.'s own views: what the augmentation does to an image, predictions with their probabilities, and how confident the model is when wrong.
 *
 * @module
 */
import { argmax, percent, round } from "../../format.ts";
import * as tf from "@tensorflow/tfjs";
import { CLASS_NAMES, IMAGE_SIZE, loadFashionMnist, PIXELS, type Subset } from "../../data/fashion_mnist.ts";
import { type RunResult, SHOWN_FIRST, shownProbabilities, testPredictions } from "../../training/store.ts";
import { experimentData } from "../../training/runs.ts";
import { confidenceBins } from "../../analysis/confidence.ts";
import { confusionMatrix, topConfusions } from "../../analysis/metrics.ts";
import { predictionGridFigure } from "../../presentation/charts.ts";
import { showFigure, showMarkdown, showTable } from "../../presentation/notebook.ts";
import { augmentationNamed, augmentBatch } from "../../data/augment.ts";
import { seededRandom } from "../../data/splits.ts";
import { figure, type GridImage, imageGrid } from "../../presentation/plots.ts";

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
  const share = (v: number, digits: number) => String(Number((100 * v).toFixed(digits)));
  for (let digits = 0; digits <= 2; digits++) {
    const [a, b] = [share(low, digits), share(high, digits)];
    if (a !== b) return `${a}-${b}%`;
  }
  return `${share(high, 2)}%`;
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
    `${percent(b.from, 0)} to ${last ? "" : "under "}${percent(b.to, 0)}`;
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
      percent(mistakes ? sureMistakes / mistakes : 0)
    }) come ` +
      `with 90% confidence or more${common.length ? `; most often ${common.join(", ")}` : ""}.**`,
  );
}

/**
 * One image of each class, then `copies` random augmentations of it (one row per class): what the
 * model sees during training with augmentation `name` (Band et al. 2024's ImageDataGenerator).
 */
export function augmentationFigure(subset: Subset, name: string, seed = 1, copies = 8): string {
  const aug = augmentationNamed(name);
  const first = CLASS_NAMES.map((_, c) => subset.labels.findIndex((label) => label === c));
  if (first.some((i) => i < 0)) throw new RangeError("augmentationFigure needs an image of every class");
  const random = seededRandom(seed);
  const images: GridImage[] = [];
  for (const [c, i] of first.entries()) {
    const one = subset.images.subarray(i * PIXELS, (i + 1) * PIXELS);
    images.push({ pixels: one, column: "original", row: CLASS_NAMES[c] });
    const copiesOf = tf.tidy(() => {
      const x = tf.tensor4d(Float32Array.from(one, (v) => v / 255), [1, IMAGE_SIZE, IMAGE_SIZE, 1]);
      const batch = tf.concat(Array.from({ length: copies }, () => x)) as tf.Tensor4D;
      return augmentBatch(batch, aug, random).mul(255).dataSync() as Float32Array;
    });
    for (let k = 0; k < copies; k++) {
      images.push({
        pixels: copiesOf.subarray(k * PIXELS, (k + 1) * PIXELS),
        column: `${k + 1}`,
        row: CLASS_NAMES[c],
      });
    }
  }
  return figure(imageGrid(images, { cell: 40, rowLabels: true }), {
    title: `Augmentation "${name}": the same image, ${copies} random ways`,
    subtitle: "rotation, shifts, shear, zoom and flips drawn per image (seeded); first column: the original",
  });
}
