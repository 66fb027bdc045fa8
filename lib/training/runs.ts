/**
 * Running an experiment: the data a config asks for, training with a checkpoint after every epoch
 * (a killed run resumes from its last completed epoch and ends as an uninterrupted one would), and the
 * result written to the run store (`store.ts`), or the stored result when this config has run before.
 *
 * ```sh
 * deno run -A lib/training/runs.ts '{"model":"004-tinyvgg", ...}'   # run one config (JSON) from a shell
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../backend/select.ts";
import { inNotebook, notify } from "../kernel.ts";
import { trainInWorker } from "./worker_training.ts";
import type { ProgressState } from "./progress.ts";
import { main, UserError } from "../errors.ts";
import { toBase64, writeAtomically } from "../data/files.ts";
import { type FashionMnist, loadFashionMnist, type Subset } from "../data/fashion_mnist.ts";
import { countParams } from "../models/spec.ts";
import { buildModel, modelSpec } from "../papers/registry.ts";
import { sample, split602020, trainValidationSplit } from "../data/splits.ts";
import { evaluate, fit } from "./fit.ts";
import { experiment, experimentSeeds } from "./experiments.ts";
import { currentProfile, type Profile } from "./profile.ts";
import { augmentationNamed, augmentBatch } from "../data/augment.ts";
import { TRAINING_VERSION } from "./version.ts";
import { type ExperimentConfig } from "./config.ts";
import { claimRun, releaseRun } from "./claims.ts";
import {
  loadCheckpoint,
  loadResult,
  noteRunStored,
  removeCheckpoint,
  runKey,
  type RunResult,
  runsDir,
  saveCheckpoint,
  shownIndices,
  withChecksum,
} from "./store.ts";

// ---------------------------------------------------------------------------------------------
// data

/** The training, validation and test subsets a config asks for. */
export function experimentData(
  data: FashionMnist,
  config: ExperimentConfig,
): { train: Subset; validation: Subset | null; test: Subset } {
  const options = { seed: config.dataSeed, stratify: config.stratify };
  let train: Subset;
  let validation: Subset | null = null;
  let test: Subset;
  if (config.split === "602020" || config.split === "602020-train") {
    ({ train, validation, test } = split602020(data, options, config.split === "602020" ? "all" : "train"));
  } else {
    test = data.test;
    if (config.validationFraction > 0) {
      ({ train, validation } = trainValidationSplit(data.train, config.validationFraction, options));
    } else {
      train = data.train;
    }
  }
  const limit = (s: Subset, n: number | null) => (n !== null && n < s.count ? sample(s, n, options) : s);
  return {
    train: limit(train, config.trainLimit),
    validation: validation ? limit(validation, config.evalLimit) : null,
    test: limit(test, config.evalLimit),
  };
}

// ---------------------------------------------------------------------------------------------
// running

/** Options of {@link runExperiment}. */
export interface RunOptions {
  /** Store directory (default {@link runsDir}). */
  dir?: string;
  /** Retrain even if a stored result exists. */
  force?: boolean;
  /** The dataset (default: {@link loadFashionMnist}). */
  data?: FashionMnist;
  /** Checkpoint after every epoch (default true). */
  checkpoint?: boolean;
  quiet?: boolean;
  log?: (message: string) => void;
  /** Called with the training progress after every batch and epoch, and the final summary line. */
  onProgress?: (state: ProgressState, final?: string) => void;
  /** Called after every batch; throws to stop training (the last epoch's checkpoint is kept). */
  stop?: () => void;
}

/**
 * In a notebook, runs are trained in a worker the cell waits for without awaiting, so that Interrupt stops
 * them at once (see `worker_training.ts`); not for runs given their own data, or forced, or once
 * `FMNIST_TRAIN_IN_KERNEL=1` asks for training in the kernel itself.
 */
function notebookTraining(options: RunOptions): boolean {
  const inWorker = typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "undefined";
  return inNotebook() && !inWorker && !options.data && !options.force &&
    Deno.env.get("FMNIST_TRAIN_IN_KERNEL") !== "1";
}

/** Train, in a worker, those of `configs` the store `dir` lacks (synchronously: no await before it ends). */
function trainMissing(configs: ExperimentConfig[], dir: string, quiet = false): void {
  let backend: string;
  try {
    backend = tf.getBackend();
  } catch {
    return; // no backend yet: the asynchronous path initialises one and trains here
  }
  if (!backend) return;
  const missing = configs.filter((config) => {
    try {
      Deno.statSync(`${dir}/${runKey(config, backend).key}.json`);
      return false;
    } catch {
      return true;
    }
  });
  trainInWorker(missing, dir, { quiet });
}

/**
 * Run an experiment, or return its stored result. Interrupted runs resume from their last
 * completed epoch and end with the same result as an uninterrupted run.
 *
 * @example
 * ```ts
 * const result = await runExperiment(experiment("000-three-block", "quick"));
 * result.test.accuracy;
 * ```
 */
export async function runExperiment(config: ExperimentConfig, options: RunOptions = {}): Promise<RunResult> {
  if (notebookTraining(options)) trainMissing([config], options.dir ?? runsDir(), options.quiet);
  const log = options.log ?? notify;
  const { name: backend, choice: backendChoice } = await initBackend();
  const { key } = runKey(config, backend);
  const dir = options.dir ?? runsDir();
  await storeWritable(dir, () => Deno.mkdir(dir, { recursive: true }));
  if (!options.force) {
    const stored = await loadResult(key, dir, log);
    if (stored) return stored;
  }
  // One process per config: wait for another one training it here, then use its result.
  let attempt = await storeWritable(dir, () => claimRun(dir, key, log));
  let announced = false;
  while (attempt.state === "busy") {
    const { owner } = attempt;
    if (attempt.elsewhere) {
      throw new UserError(
        `${key} is being trained on host ${owner.host} (claimed ${owner.since}): wait for it and copy its ` +
          `run store here, or delete ${dir}/${key}.claim if that host is gone`,
      );
    }
    if (!announced) {
      await log(
        `${key}: process ${owner.pid} is training it (since ${owner.since}); waiting for its result ` +
          `(if that process is an interrupted notebook kernel, restart it or delete ${dir}/${key}.claim)`,
      );
    }
    announced = true;
    await new Promise((resolve) => setTimeout(resolve, CLAIM_POLL_MS));
    const stored = options.force ? null : await loadResult(key, dir, log);
    if (stored) return stored;
    attempt = await claimRun(dir, key, log);
  }
  try {
    return await train(config, key, dir, backend, backendChoice, options, log);
  } finally {
    if (attempt.state === "claimed") await releaseRun(dir, key);
  }
}

/** How often a process waiting for another one's run looks for its result. */
const CLAIM_POLL_MS = 1000;

/** Run `step` on the run store, turning permission and read-only faults into one line naming the fix. */
async function storeWritable<T>(dir: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    if (e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.NotADirectory) {
      throw new UserError(
        `the run store ${dir} is not writable (${
          (e as Error).message.split("\n")[0]
        }): fix its permissions ` +
          "or set FMNIST_RUNS_DIR to a writable directory; nothing was trained",
      );
    }
    throw e;
  }
}

/** Train a claimed config (resuming from its checkpoint), store the result and return it. */
async function train(
  config: ExperimentConfig,
  key: string,
  dir: string,
  backend: string,
  backendChoice: string,
  options: RunOptions,
  log: (message: string) => unknown,
): Promise<RunResult> {
  const spec = modelSpec(config.model);
  const data = options.data ?? await loadFashionMnist();
  const { train, validation, test } = experimentData(data, config);
  const resumed = options.force ? null : await loadCheckpoint(dir, key, config, log);
  if (resumed) await log(`${key}: resuming after epoch ${resumed.history.length} of ${config.epochs}`);
  const model = resumed?.model ?? buildModel(config.model, config.seed, config.framework);
  const t0 = performance.now();
  const { history, optimizer, stoppedEarly } = await fit(model, spec.output, train, validation, {
    epochs: config.epochs,
    batchSize: config.batchSize,
    optimizer: config.optimizer,
    learningRate: config.learningRate,
    loss: config.loss,
    seed: config.seed,
    framework: config.framework,
    earlyStopping: config.earlyStopping ?? undefined,
    transform: config.augmentation === null
      ? undefined
      : (images, random) => augmentBatch(images, augmentationNamed(config.augmentation!), random),
    progressTitle: `${config.model} (${config.profile}, seed ${config.seed})`,
    quiet: options.quiet,
  }, {
    history: resumed?.history,
    optimizer: resumed?.optimizer,
    onProgress: options.onProgress,
    onBatchEnd: options.stop,
    onEpochEnd: options.checkpoint === false
      ? undefined
      : (h, opt) => saveCheckpoint(dir, key, config, model, opt, h),
  });
  const trainSeconds = (performance.now() - t0) / 1000;
  const e0 = performance.now();
  const evaluation = evaluate(model, spec.output, test, config.loss);
  const evalSeconds = (performance.now() - e0) / 1000;
  const predicted = new Uint8Array(test.count);
  const confidence = new Float32Array(test.count);
  for (let i = 0; i < test.count; i++) {
    let best = 0;
    for (let c = 1; c < 10; c++) {
      if (evaluation.probabilities[i * 10 + c] > evaluation.probabilities[i * 10 + best]) best = c;
    }
    predicted[i] = best;
    confidence[i] = evaluation.probabilities[i * 10 + best];
  }
  // confusion[true][predicted] (the analysis layer's confusionMatrix; counted here, below it)
  const confusion = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
  for (let i = 0; i < test.count; i++) confusion[test.labels[i]][predicted[i]]++;
  const ran = history.slice(resumed?.history.length ?? 0);
  const result = withChecksum({
    format: 1,
    key,
    config,
    trainingVersion: TRAINING_VERSION,
    history,
    stoppedEarly,
    params: countParams(model),
    test: {
      count: test.count,
      loss: evaluation.loss,
      accuracy: evaluation.accuracy,
      confusion,
      labels: toBase64(test.labels.slice(0, test.count)),
      predicted: toBase64(predicted),
      confidence: toBase64(new Uint8Array(confidence.buffer)),
      shown: keptProbabilities(test.labels, predicted, confidence, evaluation.probabilities),
    },
    timing: {
      trainSeconds,
      meanEpochSeconds: ran.length ? ran.reduce((s, h) => s + h.seconds, 0) / ran.length : 0,
      imagesPerSecond: ran.length ? ran.reduce((s, h) => s + h.imagesPerSecond, 0) / ran.length : 0,
      inferenceImagesPerSecond: test.count / evalSeconds,
    },
    backend,
    backendChoice,
    versions: { tfjs: tf.version.tfjs, deno: Deno.version.deno },
    resumedFromEpoch: resumed?.history.length ?? 0,
    createdAt: new Date().toISOString(),
  });
  await writeAtomically(`${dir}/${key}.json`, JSON.stringify(result));
  noteRunStored();
  await removeCheckpoint(dir, key);
  model.dispose();
  optimizer.dispose();
  return result;
}

/** The full probabilities of the test images a result keeps for galleries (see `RunResult.test.shown`). */
function keptProbabilities(
  labels: Uint8Array,
  predicted: Uint8Array,
  confidence: Float32Array,
  probabilities: ArrayLike<number>,
): { indices: number[]; probabilities: string } {
  const indices = shownIndices(labels.slice(0, predicted.length), predicted, confidence);
  const kept = new Float32Array(indices.length * 10);
  indices.forEach((index, i) => {
    for (let c = 0; c < 10; c++) kept[10 * i + c] = probabilities[10 * index + c];
  });
  return { indices, probabilities: toBase64(new Uint8Array(kept.buffer)) };
}

/**
 * An experiment at the active profile over several seeds (default: its own, {@link experimentSeeds}):
 * each seed's stored result, or trained now (with progress) when it is missing.
 *
 * @example
 * ```ts
 * const runs = await runSeeds("000-three-block"); // seeds 1-5 at the paper's settings, 1-3 under quick
 * ```
 */
export async function runSeeds(
  name: string,
  seeds?: readonly number[],
  profile: Profile = currentProfile(),
): Promise<RunResult[]> {
  seeds ??= experimentSeeds(name, profile);
  if (notebookTraining({})) trainMissing(seeds.map((seed) => experiment(name, profile, { seed })), runsDir());
  const runs: RunResult[] = [];
  for (const seed of seeds) runs.push(await runExperiment(experiment(name, profile, { seed })));
  return runs;
}

/**
 * {@link runSeeds} for each experiment in turn (default: each its own seeds): its runs by experiment name.
 *
 * @example
 * ```ts
 * const runs = await runEach(["004-tinyvgg", "004-tinyvgg-adam"], [1, 2, 3]);
 * ```
 */
export async function runEach(
  experiments: readonly string[],
  seeds?: readonly number[],
  profile: Profile = currentProfile(),
): Promise<Record<string, RunResult[]>> {
  const seedsOf = (name: string) => seeds ?? experimentSeeds(name, profile);
  if (notebookTraining({})) {
    const configs = experiments.flatMap((name) =>
      seedsOf(name).map((seed) => experiment(name, profile, { seed }))
    );
    trainMissing(configs, runsDir());
  }
  const runs: Record<string, RunResult[]> = {};
  for (const name of experiments) runs[name] = await runSeeds(name, seedsOf(name), profile);
  return runs;
}

/**
 * The loss after each of the first `batches` batches of an experiment's recipe (seed `seed`, its own model,
 * optimizer, learning rate, loss and batch size): how a run starts, for showing why one diverges. NaN
 * marks a batch whose loss overflowed. Nothing is stored.
 *
 * @example
 * ```ts
 * const losses = await lossPerBatch("004-tinyvgg-nll", 30); // falls below zero, then NaN
 * ```
 */
export async function lossPerBatch(name: string, batches: number, seed = 1): Promise<number[]> {
  if (!(Number.isInteger(batches) && batches > 0)) throw new UserError("batches must be a positive integer");
  await initBackend();
  const config = experiment(name, "paper", {
    seed,
    trainLimit: batches * experiment(name, "paper").batchSize,
  });
  const { train } = experimentData(await loadFashionMnist(), config);
  const model = buildModel(config.model, seed, config.framework);
  const losses: number[] = [];
  try {
    await fit(model, modelSpec(config.model).output, train, null, {
      epochs: 1,
      batchSize: config.batchSize,
      optimizer: config.optimizer,
      learningRate: config.learningRate,
      loss: config.loss,
      seed,
      framework: config.framework,
      quiet: true,
    }, { onBatchEnd: (loss) => losses.push(loss) });
  } finally {
    model.dispose();
  }
  return losses;
}

/** {@link lossPerBatch} for each experiment in turn (seed 1): its losses by experiment name. */
export async function lossesPerBatch(
  experiments: readonly string[],
  batches: number,
): Promise<Record<string, number[]>> {
  const losses: Record<string, number[]> = {};
  for (const name of experiments) losses[name] = await lossPerBatch(name, batches);
  return losses;
}

if (import.meta.main) {
  await main(async () => {
    let config: ExperimentConfig | null = null;
    try {
      config = JSON.parse(Deno.args[0] ?? "null");
    } catch (e) {
      throw new UserError(`the config is not JSON (${(e as Error).message})`);
    }
    if (!config) throw new UserError("usage: deno run -A lib/training/runs.ts '<experiment config as JSON>'");
    const result = await runExperiment(config);
    console.log(
      JSON.stringify({ key: result.key, accuracy: result.test.accuracy, epochs: result.history.length }),
    );
  });
}
