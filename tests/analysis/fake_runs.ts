/** Synthetic stored runs for the claim tests: a known confusion matrix and learning curve. */
import { classIndex } from "../../lib/analysis/evidence.ts";
import type { RunResult } from "../../lib/training/store.ts";
import type { EpochRecord } from "../../lib/training/fit.ts";

/** A run whose test set is 100 images per class, `correct` of them right, the rest moved as `errors` says. */
export function fakeRun(
  options: {
    seed?: number;
    errors?: [string, string, number][];
    curve?: [number, number, number, number][];
  } = {},
): RunResult {
  const confusion = Array.from(
    { length: 10 },
    (_, i) => Array.from({ length: 10 }, (_, j) => (i === j ? 100 : 0)),
  );
  for (const [from, to, n] of options.errors ?? []) {
    confusion[classIndex(from)][classIndex(from)] -= n;
    confusion[classIndex(from)][classIndex(to)] += n;
  }
  const correct = confusion.reduce((s, row, i) => s + row[i], 0);
  const curve = options.curve ?? [[0.5, 0.80, 0.45, 0.83], [0.4, 0.86, 0.40, 0.85], [0.3, 0.90, 0.42, 0.86]];
  return {
    key: `fake.s${options.seed ?? 1}`,
    config: { seed: options.seed ?? 1 },
    history: curve.map(([loss, accuracy, valLoss, valAccuracy], i) => ({
      epoch: i + 1,
      loss,
      accuracy,
      valLoss,
      valAccuracy,
      learningRate: 1e-3,
      seconds: 1,
      imagesPerSecond: 1,
    })),
    test: {
      count: 1000,
      loss: 0.3,
      accuracy: correct / 1000,
      confusion,
      labels: "",
      predicted: "p",
      confidence: "",
    },
  } as unknown as RunResult;
}

/** Epoch records with the given validation losses (training loss 1/epoch, accuracy rising 1 point an epoch). */
export function fakeHistory(valLosses: number[]): EpochRecord[] {
  return valLosses.map((valLoss, i) => ({
    epoch: i + 1,
    loss: 1 / (i + 1),
    accuracy: 0.8 + i / 100,
    valLoss,
    valAccuracy: 0.8,
    learningRate: 1e-3,
    seconds: 1,
    imagesPerSecond: 1,
  }));
}
