/**
 * One recipe in two frameworks: the runs PyTorch's twin of a model made (`lib/tools/cross_framework.ts`
 * trains them with `torch_reference.py` and stores them in `data/measurements/`), and a comparison of two
 * samples of final accuracies that needs no assumption about their shape: the difference of the means, the
 * runs that stayed at chance, and an exact permutation test.
 *
 * @module
 */
import { REPO_ROOT } from "../training/profile.ts";
import { UserError } from "../errors.ts";
import { meanSd } from "./seed_stats.ts";

/** One seed of PyTorch's twin: per-epoch training loss and accuracy, then the test set. */
export interface TorchRun {
  seed: number;
  history: { loss: number; accuracy: number }[];
  test: { loss: number; accuracy: number };
  seconds: number;
}

/** Every seed PyTorch's twin trained for one experiment, with what it ran on. */
export interface TorchRuns {
  experiment: string;
  date: string;
  torch: string;
  threads: number;
  /** The recipe as PyTorch ran it. */
  recipe: { optimizer: string; learningRate: number; batchSize: number; epochs: number; trainImages: number };
  runs: TorchRun[];
}

/** Where PyTorch's runs of an experiment are stored. */
export function torchRunsPath(experiment: string): string {
  return `${REPO_ROOT}data/measurements/torch_${experiment}.json`;
}

/** The stored PyTorch runs of an experiment, or a clear error saying how to make them. */
export async function loadTorchRuns(experiment: string): Promise<TorchRuns> {
  try {
    return JSON.parse(await Deno.readTextFile(torchRunsPath(experiment))) as TorchRuns;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    throw new UserError(
      `no PyTorch runs of ${experiment} are stored. Fix: deno run -A lib/tools/cross_framework.ts ${experiment} ` +
        "(needs PyTorch: sudo apt-get install python3-torch)",
    );
  }
}

/** A sample's summary: runs, those at chance, and mean and spread of those that learned. */
export interface SampleSummary {
  runs: number;
  atChance: number;
  mean: number;
  sd: number;
  min: number;
  max: number;
}

/** Test accuracy (in points) below which a run has not learned: twice chance on ten classes. */
export const LEARNED_ABOVE = 20;

/** Summary of final accuracies in points, with the runs at chance counted apart. */
export function summarize(values: number[]): SampleSummary {
  const learned = values.filter((v) => v >= LEARNED_ABOVE);
  const { mean, sd } = meanSd(learned);
  return {
    runs: values.length,
    atChance: values.length - learned.length,
    mean,
    sd,
    min: Math.min(...learned),
    max: Math.max(...learned),
  };
}

/** The k-subsets of 0..n-1, as index arrays (for exact permutation tests on small samples). */
function* subsets(n: number, k: number, start = 0, chosen: number[] = []): Generator<number[]> {
  if (chosen.length === k) {
    yield chosen;
    return;
  }
  for (let i = start; i <= n - (k - chosen.length); i++) yield* subsets(n, k, i + 1, [...chosen, i]);
}

/**
 * Two-sided exact permutation test of the difference of two means: the share of the relabellings of the
 * pooled values whose difference is at least as large (in absolute value) as the observed one.
 * Exact up to 200,000 relabellings (ten against ten is 184,756); larger samples are refused.
 */
export function permutationTest(a: number[], b: number[]): { difference: number; p: number } {
  if (a.length < 2 || b.length < 2) {
    throw new UserError("a permutation test needs at least two values a side");
  }
  const pooled = [...a, ...b].filter(Number.isFinite);
  if (pooled.length !== a.length + b.length) throw new UserError("a permutation test needs finite values");
  let count = 1;
  for (let i = 0; i < a.length; i++) count = count * (pooled.length - i) / (i + 1);
  if (count > 200_000) {
    throw new UserError(`${Math.round(count)} relabellings are too many for an exact test`);
  }
  const total = pooled.reduce((s, v) => s + v, 0);
  const observed = Math.abs(meanSd(a).mean - meanSd(b).mean);
  let extreme = 0, all = 0;
  for (const pick of subsets(pooled.length, a.length)) {
    const sumA = pick.reduce((s, i) => s + pooled[i], 0);
    const difference = Math.abs(sumA / a.length - (total - sumA) / b.length);
    if (difference >= observed - 1e-12) extreme++;
    all++;
  }
  return { difference: meanSd(a).mean - meanSd(b).mean, p: extreme / all };
}
