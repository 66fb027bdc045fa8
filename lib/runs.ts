/**
 * Experiments as plain configs, and a store of their results: keyed by the config, the model's
 * layers, the backend and the training version (see {@link runKey}), written atomically, verified on load (a corrupt entry is retrained, never
 * used), and resumable from the last completed epoch after an interruption.
 *
 * ```sh
 * deno run -A lib/runs.ts '{"model":"004-tinyvgg", ...}'   # run one config (JSON) from a shell
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { createHash } from "node:crypto";
import { initBackend } from "./backend.ts";
import { notify } from "./kernel.ts";
import { main, UserError } from "./errors.ts";
import { fromBase64, toBase64, writeAtomically } from "./files.ts";
import { type FashionMnist, loadFashionMnist, type Subset } from "./fashion_mnist.ts";
import { type LossName, makeOptimizer, type OptimizerName } from "./losses.ts";
import { confusionMatrix } from "./metrics.ts";
import { buildModel, countParams, modelSpec, type ParamCounts } from "./models.ts";
import { type Profile, REPO_ROOT } from "./profile.ts";
import { sample, split602020, trainValidationSplit } from "./splits.ts";
import { type EpochRecord, evaluate, fit } from "./train.ts";
import { TRAINING_VERSION } from "./training_version.ts";

/** Everything that defines one training run. Plain data: it is hashed into the run's key. */
export interface ExperimentConfig {
  /** Registered model name (see `lib/models.ts`). */
  model: string;
  /** `official`: the published 60,000/10,000 sets; `602020`: Sivakumar et al.'s pooled 60:20:20 split. */
  split: "official" | "602020";
  /** With `official`: share of the training set held out for validation (0: none). */
  validationFraction: number;
  /** Seeded sample sizes (null: all) of the training set, and of validation and test sets. */
  trainLimit: number | null;
  evalLimit: number | null;
  /** Seed of the data split and samples (kept apart from `seed`, so seed repeats share data). */
  dataSeed: number;
  stratify: boolean;
  optimizer: OptimizerName;
  learningRate: number;
  loss: LossName;
  batchSize: number;
  epochs: number;
  /** Augmentation name, or null. */
  augmentation: string | null;
  earlyStopping: { monitor: "valLoss" | "valAccuracy"; patience: number } | null;
  /** Seed of the weights, shuffles and dropout. */
  seed: number;
  profile: Profile;
}

/** What a run produced. Stored as JSON under its key. */
export interface RunResult {
  format: 1;
  key: string;
  config: ExperimentConfig;
  /** {@link TRAINING_VERSION} when it ran. */
  trainingVersion: number;
  /** Before keys were versioned: a hash of the training modules' source (kept for provenance). */
  codeHash?: string;
  history: EpochRecord[];
  stoppedEarly: boolean;
  params: ParamCounts;
  test: {
    count: number;
    loss: number;
    accuracy: number;
    /** confusion[true][predicted]. */
    confusion: number[][];
    /** Base64 of the true labels, predicted labels (bytes) and confidences (float32). */
    labels: string;
    predicted: string;
    confidence: string;
  };
  timing: {
    trainSeconds: number;
    meanEpochSeconds: number;
    imagesPerSecond: number;
    inferenceImagesPerSecond: number;
  };
  backend: string;
  versions: { tfjs: string; deno: string };
  /** Epochs that came from a checkpoint rather than this process (0 when not resumed). */
  resumedFromEpoch: number;
  createdAt: string;
  /** SHA-256 of the JSON of everything above. */
  checksum: string;
}

/** Where results live: `FMNIST_RUNS_DIR`, default `data/runs/` in the repository. */
export function runsDir(): string {
  return Deno.env.get("FMNIST_RUNS_DIR") ?? `${REPO_ROOT}data/runs`;
}

// ---------------------------------------------------------------------------------------------
// keys

/** JSON with object keys sorted, so equal configs hash equally. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

const sha256 = (text: string | Uint8Array) => createHash("sha256").update(text).digest("hex");

/**
 * The model's layer topology: every layer's class and configuration, without names (tfjs numbers layer
 * names globally: conv2d_Conv2D7, ...). Editing one model's layers changes only its runs' keys.
 */
export function modelTopology(model: string): string {
  const built = buildModel(model, 0);
  const topology = stableStringify(built.layers.map((l) => {
    const { name: _name, ...layerConfig } = l.getConfig();
    return [l.getClassName(), layerConfig];
  }));
  built.dispose();
  return topology;
}

/**
 * The store key of a config: a readable prefix, then a hash of the config, the model's layer
 * topology, the backend and {@link TRAINING_VERSION}. Source code is not in it: moving, reformatting or
 * commenting code keeps every stored run; a change to what training computes bumps the version. The
 * backend's speed-ups compute the same gradients (checked against the cpu backend in the backend tests),
 * so they are not in it either: a run retrained after such a change differs in the last digits, like
 * another machine's would, and the stored result stays the record of that config.
 */
export function runKey(config: ExperimentConfig, backend: string): { key: string } {
  checkConfig(config);
  const hash = sha256(stableStringify({
    config,
    topology: modelTopology(config.model),
    trainingVersion: TRAINING_VERSION,
    backend,
  })).slice(0, 16);
  return { key: `${config.model}.${config.profile}.s${config.seed}.${hash}` };
}

/** Reject configs that cannot run, naming the field and the fix. */
export function checkConfig(config: ExperimentConfig): void {
  modelSpec(config.model);
  const positiveInt = (v: number) => Number.isInteger(v) && v > 0;
  if (!positiveInt(config.epochs)) {
    throw new UserError(`epochs must be a positive integer, got ${config.epochs}`);
  }
  if (!positiveInt(config.batchSize)) {
    throw new UserError(`batchSize must be a positive integer, got ${config.batchSize}`);
  }
  if (!(config.validationFraction >= 0 && config.validationFraction < 1)) {
    throw new UserError(`validationFraction must be in [0, 1), got ${config.validationFraction}`);
  }
  if (config.augmentation !== null) {
    throw new UserError(
      `augmentation "${config.augmentation}" is not available yet. Fix: set augmentation to null`,
    );
  }
  if (config.earlyStopping && config.validationFraction === 0 && config.split === "official") {
    throw new UserError("early stopping needs a validation set. Fix: set validationFraction > 0");
  }
}

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
  if (config.split === "602020") {
    ({ train, validation, test } = split602020(data, options));
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
// atomic files, results and checkpoints

/** The test-set labels, predictions and confidences of a result. */
export function testPredictions(
  result: RunResult,
): { labels: Uint8Array; predicted: Uint8Array; confidence: Float32Array } {
  const conf = fromBase64(result.test.confidence);
  return {
    labels: fromBase64(result.test.labels),
    predicted: fromBase64(result.test.predicted),
    confidence: new Float32Array(conf.buffer, conf.byteOffset, conf.length / 4),
  };
}

/** A result with its checksum (SHA-256 of everything else) set. */
export function withChecksum(result: Omit<RunResult, "checksum">): RunResult {
  return { ...result, checksum: sha256(stableStringify(result)) };
}

/**
 * Read a stored result, or null when there is none. A file that does not parse, fails its
 * checksum, or belongs to another key is reported through `log` and treated as absent.
 */
export async function loadResult(
  key: string,
  dir = runsDir(),
  log: (m: string) => unknown = notify,
): Promise<RunResult | null> {
  const path = `${dir}/${key}.json`;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  try {
    const { checksum, ...rest } = JSON.parse(text) as RunResult;
    if (rest.format !== 1 || rest.key !== key) throw new Error("it belongs to another key or format");
    if (sha256(stableStringify(rest)) !== checksum) throw new Error("checksum mismatch");
    return { ...rest, checksum };
  } catch (e) {
    await log(`stored run ${path} is corrupt (${(e as Error).message}); it will be retrained`);
    return null;
  }
}

interface CheckpointState {
  key: string;
  /** The run's config, so a checkpoint can be checked and migrated on its own. */
  config?: ExperimentConfig;
  history: EpochRecord[];
  weights: { shape: number[] }[];
  optimizer: { name: string; shape: number[] }[];
  /** Adam's bias-correction accumulators, restored exactly (tfjs recomputes them with pow otherwise). */
  accBeta: number[] | null;
  dataSha256: string;
}

async function saveCheckpoint(
  dir: string,
  key: string,
  config: ExperimentConfig,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  history: EpochRecord[],
) {
  const weights = model.getWeights();
  const named = await optimizer.getWeights();
  const tensors = [...weights, ...named.map((n) => n.tensor)];
  const total = tensors.reduce((n, t) => n + t.size, 0);
  const data = new Float32Array(total);
  let offset = 0;
  for (const t of tensors) {
    data.set(t.dataSync() as Float32Array, offset);
    offset += t.size;
  }
  const bytes = new Uint8Array(data.buffer);
  const o = optimizer as unknown as { accBeta1?: tf.Variable; accBeta2?: tf.Variable };
  const state: CheckpointState = {
    key,
    config,
    history,
    weights: weights.map((w) => ({ shape: w.shape })),
    optimizer: named.map((n) => ({ name: n.name, shape: n.tensor.shape })),
    accBeta: o.accBeta1 && o.accBeta2 ? [o.accBeta1.dataSync()[0], o.accBeta2.dataSync()[0]] : null,
    dataSha256: sha256(bytes),
  };
  await writeAtomically(`${dir}/${key}.ckpt.bin`, bytes);
  await writeAtomically(`${dir}/${key}.ckpt.json`, JSON.stringify(state));
}

async function loadCheckpoint(
  dir: string,
  key: string,
  config: ExperimentConfig,
  log: (m: string) => unknown,
): Promise<{ model: tf.Sequential; optimizer: tf.Optimizer; history: EpochRecord[] } | null> {
  let state: CheckpointState;
  let bytes: Uint8Array;
  try {
    state = JSON.parse(await Deno.readTextFile(`${dir}/${key}.ckpt.json`));
    bytes = await Deno.readFile(`${dir}/${key}.ckpt.bin`);
  } catch {
    return null;
  }
  if (state.key !== key || sha256(bytes) !== state.dataSha256) {
    await log(`checkpoint of ${key} does not match its data (interrupted while writing?); starting over`);
    return null;
  }
  const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  let offset = 0;
  const next = (shape: number[]) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const t = tf.tensor(data.slice(offset, offset + size), shape);
    offset += size;
    return t;
  };
  const model = buildModel(config.model, config.seed);
  const weights = state.weights.map((w) => next(w.shape));
  model.setWeights(weights);
  tf.dispose(weights);
  const optimizer = makeOptimizer(config.optimizer, config.learningRate);
  const named = state.optimizer.map((o) => ({ name: o.name, tensor: next(o.shape) }));
  await optimizer.setWeights(named);
  tf.dispose(named.map((n) => n.tensor));
  if (state.accBeta) {
    const o = optimizer as unknown as { accBeta1: tf.Variable; accBeta2: tf.Variable };
    o.accBeta1.assign(tf.scalar(state.accBeta[0]));
    o.accBeta2.assign(tf.scalar(state.accBeta[1]));
  }
  return { model, optimizer, history: state.history };
}

async function removeCheckpoint(dir: string, key: string) {
  for (const ext of ["ckpt.json", "ckpt.bin"]) await Deno.remove(`${dir}/${key}.${ext}`).catch(() => {});
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
  const log = options.log ?? notify;
  const backend = (await initBackend()).name;
  const { key } = runKey(config, backend);
  const dir = options.dir ?? runsDir();
  await Deno.mkdir(dir, { recursive: true });
  if (!options.force) {
    const stored = await loadResult(key, dir, log);
    if (stored) return stored;
  }
  const spec = modelSpec(config.model);
  const data = options.data ?? await loadFashionMnist();
  const { train, validation, test } = experimentData(data, config);
  const resumed = options.force ? null : await loadCheckpoint(dir, key, config, log);
  if (resumed) await log(`${key}: resuming after epoch ${resumed.history.length} of ${config.epochs}`);
  const model = resumed?.model ?? buildModel(config.model, config.seed);
  const t0 = performance.now();
  const { history, optimizer, stoppedEarly } = await fit(model, spec.output, train, validation, {
    epochs: config.epochs,
    batchSize: config.batchSize,
    optimizer: config.optimizer,
    learningRate: config.learningRate,
    loss: config.loss,
    seed: config.seed,
    earlyStopping: config.earlyStopping ?? undefined,
    progressTitle: `${config.model} (${config.profile}, seed ${config.seed})`,
    quiet: options.quiet,
  }, {
    history: resumed?.history,
    optimizer: resumed?.optimizer,
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
      confusion: confusionMatrix(test.labels.subarray(0, test.count), predicted, 10),
      labels: toBase64(test.labels.slice(0, test.count)),
      predicted: toBase64(predicted),
      confidence: toBase64(new Uint8Array(confidence.buffer)),
    },
    timing: {
      trainSeconds,
      meanEpochSeconds: ran.length ? ran.reduce((s, h) => s + h.seconds, 0) / ran.length : 0,
      imagesPerSecond: ran.length ? ran.reduce((s, h) => s + h.imagesPerSecond, 0) / ran.length : 0,
      inferenceImagesPerSecond: test.count / evalSeconds,
    },
    backend,
    versions: { tfjs: tf.version.tfjs, deno: Deno.version.deno },
    resumedFromEpoch: resumed?.history.length ?? 0,
    createdAt: new Date().toISOString(),
  });
  await writeAtomically(`${dir}/${key}.json`, JSON.stringify(result));
  await removeCheckpoint(dir, key);
  model.dispose();
  optimizer.dispose();
  return result;
}

if (import.meta.main) {
  await main(async () => {
    let config: ExperimentConfig | null = null;
    try {
      config = JSON.parse(Deno.args[0] ?? "null");
    } catch (e) {
      throw new UserError(`the config is not JSON (${(e as Error).message})`);
    }
    if (!config) throw new UserError("usage: deno run -A lib/runs.ts '<experiment config as JSON>'");
    const result = await runExperiment(config);
    console.log(
      JSON.stringify({ key: result.key, accuracy: result.test.accuracy, epochs: result.history.length }),
    );
  });
}
