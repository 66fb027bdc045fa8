/**
 * Seeded, deterministic training and evaluation with per-epoch history, live progress, and
 * hooks for early stopping, learning-rate schedules and checkpoints.
 *
 * Determinism: the shuffle of epoch e and every random draw tfjs makes during it (dropout masks)
 * come from a seed derived from (run seed, e), so the same seed gives the same history on a given
 * backend, and a run resumed after epoch e continues exactly as if it had not stopped.
 *
 * @module
 */
import { percent } from "../format.ts";
import * as tf from "@tensorflow/tfjs";
import { IMAGE_SIZE, PIXELS, type Subset } from "../data/fashion_mnist.ts";
import { lossFunction, type LossName, makeOptimizer, type OptimizerName, type OutputKind } from "./losses.ts";
import { Progress, type ProgressState } from "./progress.ts";
import { deriveSeed, withSeededRandom } from "../data/random.ts";
import { permutation, seededRandom } from "../data/splits.ts";
import { endsInSoftmaxLayer, type Framework } from "../models/spec.ts";

/**
 * Changes a training batch (NHWC, pixels in [0, 1]), e.g. augmentation: returns the new batch (or the
 * same tensor), drawing its randomness from `random`.
 */
export type BatchTransform = (images: tf.Tensor4D, random: () => number) => tf.Tensor4D;

/** How to train. */
export interface TrainOptions {
  epochs: number;
  batchSize: number;
  optimizer: OptimizerName;
  learningRate: number;
  loss: LossName;
  seed: number;
  /** Whose optimizer defaults to use (Adam's epsilon differs); none: tfjs's. */
  framework?: Framework;
  /** Applied to every training batch (not to validation or test data). */
  transform?: BatchTransform;
  /** Stop when the monitored validation metric has not improved for `patience` epochs. */
  earlyStopping?: { monitor: "valLoss" | "valAccuracy"; patience: number; minDelta?: number };
  /** Learning rate for each epoch (0-based), given the initial one. */
  schedule?: (epoch: number, initialLearningRate: number) => number;
  /** Title of the progress display (default: no display). */
  progressTitle?: string;
  quiet?: boolean;
}

/**
 * Undo what an interrupted cell left half-done in tfjs's engine. Jupyter's Interrupt ends a cell between
 * two statements, skipping every `finally`: inside `optimizer.minimize` that leaves a gradient tape
 * recording and scopes open, and the next training in the same kernel then fails ("Cannot find a
 * connection between any variable and the result of the loss function") or leaks. Called before each
 * training run (never inside a `tf.tidy`, which cannot wrap an async run); returns what it repaired.
 */
export function recoverEngine(): string[] {
  const engine = tf.engine() as unknown as {
    endScope: () => void;
    state: {
      scopeStack: unknown[];
      gradientDepth: number;
      kernelDepth: number;
      activeTape: unknown[] | null | undefined;
      numDataMovesStack: number[];
    };
  };
  const state = engine.state;
  const repaired: string[] = [];
  if (state.scopeStack.length > 0) repaired.push(`${state.scopeStack.length} open scope(s)`);
  while (state.scopeStack.length > 0) engine.endScope();
  // `activeTape` is undefined until the first gradient and null after one: only a list means recording.
  if (state.gradientDepth !== 0 || Array.isArray(state.activeTape)) {
    repaired.push("a gradient tape left recording");
    state.gradientDepth = 0;
    state.activeTape = null;
  }
  if (state.kernelDepth !== 0) repaired.push("a kernel left running");
  state.kernelDepth = 0;
  state.numDataMovesStack = [];
  return repaired;
}

/** One epoch of history. Accuracy is counted per sample over the epoch, never averaged over batches. */
export interface EpochRecord {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
  learningRate: number;
  seconds: number;
  imagesPerSecond: number;
}

/** Where to resume from, and what to do after each epoch (e.g. write a checkpoint). */
export interface TrainHooks {
  /** Epochs already done (their records), when resuming. */
  history?: EpochRecord[];
  /** The optimizer to continue with (its state restored), when resuming. */
  optimizer?: tf.Optimizer;
  /** Called after every epoch with the history so far. */
  onEpochEnd?: (history: EpochRecord[], optimizer: tf.Optimizer) => Promise<void> | void;
  /** Called after every batch with its loss (NaN once training has diverged); may throw to stop training. */
  onBatchEnd?: (loss: number) => void;
  /** Called with the progress after every batch and epoch, and with the final summary line at the end. */
  onProgress?: (state: ProgressState, final?: string) => void;
}

/** A batch of images as an NHWC tensor in [0, 1] and its int32 labels, from subset positions `order[start..end)`. */
export function batchTensors(
  subset: Subset,
  order: ArrayLike<number>,
  start: number,
  end: number,
  transform?: BatchTransform,
  random?: () => number,
): { xs: tf.Tensor4D; ys: tf.Tensor1D } {
  const n = end - start;
  const pixels = new Float32Array(n * PIXELS);
  const labels = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const i = order[start + k];
    const offset = i * PIXELS;
    for (let p = 0; p < PIXELS; p++) pixels[k * PIXELS + p] = subset.images[offset + p] / 255;
    labels[k] = subset.labels[i];
  }
  let xs = tf.tensor4d(pixels, [n, IMAGE_SIZE, IMAGE_SIZE, 1]);
  if (transform) {
    const changed = transform(xs, random ?? Math.random);
    if (changed !== xs) xs.dispose();
    xs = changed;
  }
  return { xs, ys: tf.tensor1d(labels, "int32") };
}

function setLearningRate(optimizer: tf.Optimizer, rate: number): void {
  const o = optimizer as unknown as { setLearningRate?: (r: number) => void; learningRate: number };
  if (typeof o.setLearningRate === "function") o.setLearningRate(rate);
  else o.learningRate = rate;
}

/**
 * A model's outputs on a batch, as the loss should see them: the scores before a separate softmax layer
 * (Keras's head under Keras's defaults: its cross-entropy works from them, unclipped), else what the
 * model emits, of the kind its spec declares.
 */
export function lossInputs(
  model: tf.LayersModel,
  xs: tf.Tensor,
  training: boolean,
  output: OutputKind,
): { scores: tf.Tensor2D; kind: OutputKind } {
  if (!endsInSoftmaxLayer(model)) {
    return { scores: model.apply(xs, { training }) as tf.Tensor2D, kind: output };
  }
  const before = model.layers.slice(0, -1).reduce(
    (h, layer) => layer.apply(h, { training }) as tf.Tensor,
    xs,
  );
  return { scores: before as tf.Tensor2D, kind: "logits" };
}

/** Loss and per-sample accuracy of a model on a subset, and its output probabilities [count * 10]. */
export function evaluate(
  model: tf.LayersModel,
  output: OutputKind,
  subset: Subset,
  loss: LossName,
  batchSize = 500,
): { loss: number; accuracy: number; probabilities: Float32Array } {
  const order = Array.from({ length: subset.count }, (_, i) => i);
  const probabilities = new Float32Array(subset.count * 10);
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < subset.count; start += batchSize) {
    const end = Math.min(start + batchSize, subset.count);
    const [l, c, p] = tf.tidy(() => {
      const { xs, ys } = batchTensors(subset, order, start, end);
      const { scores: out, kind } = lossInputs(model, xs, false, output);
      const probs = kind === "softmax" ? out : tf.softmax(out);
      return [
        lossFunction(loss, kind)(out, ys).mul(end - start).dataSync()[0],
        out.argMax(1).equal(ys).sum().dataSync()[0],
        probs.dataSync() as Float32Array,
      ] as const;
    });
    lossSum += l;
    correct += c;
    probabilities.set(p, start * 10);
  }
  return { loss: lossSum / subset.count, accuracy: correct / subset.count, probabilities };
}

/**
 * Train a model on `train`, validating on `validation` (if given) after every epoch.
 *
 * @example
 * ```ts
 * const { history } = await fit(model, "softmax", train, validation,
 *   { epochs: 10, batchSize: 64, optimizer: "adam", learningRate: 1e-3, loss: "crossEntropy", seed: 1 });
 * ```
 */
export async function fit(
  model: tf.LayersModel,
  output: OutputKind,
  train: Subset,
  validation: Subset | null,
  options: TrainOptions,
  hooks: TrainHooks = {},
): Promise<{ history: EpochRecord[]; optimizer: tf.Optimizer; stoppedEarly: boolean }> {
  const { epochs, batchSize } = options;
  if (!(Number.isInteger(epochs) && epochs > 0)) {
    throw new RangeError(`epochs must be a positive integer, got ${epochs}`);
  }
  if (!(Number.isInteger(batchSize) && batchSize > 0)) {
    throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
  }
  if (train.count < 1) throw new RangeError("the training set is empty");
  const repaired = recoverEngine();
  if (repaired.length && !options.quiet) {
    console.log(`(an interrupted run had left ${repaired.join(" and ")} in tfjs: cleared)`);
  }
  const optimizer = hooks.optimizer ??
    makeOptimizer(options.optimizer, options.learningRate, options.framework);
  const lossFn = lossFunction(options.loss, endsInSoftmaxLayer(model) ? "logits" : output);
  const history = [...(hooks.history ?? [])];
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const batches = Math.ceil(train.count / batchSize);
  const progress = options.progressTitle
    ? new Progress(options.progressTitle, { quiet: options.quiet })
    : null;
  const startEpoch = history.length;
  const runStart = performance.now();
  let stoppedEarly = shouldStop(history, options);

  for (let epoch = startEpoch; epoch < epochs && !stoppedEarly; epoch++) {
    const rate = options.schedule ? options.schedule(epoch, options.learningRate) : options.learningRate;
    setLearningRate(optimizer, rate);
    const epochSeed = deriveSeed(options.seed, epoch);
    const order = permutation(train.count, epochSeed);
    const augmentRandom = seededRandom(deriveSeed(options.seed, epoch, 1));
    const t0 = performance.now();
    let lossSum = 0;
    let correct = 0;
    await withSeededRandom(deriveSeed(options.seed, epoch, 2), async () => {
      for (let b = 0; b < batches; b++) {
        const start = b * batchSize;
        const end = Math.min(start + batchSize, train.count);
        const { xs, ys } = batchTensors(train, order, start, end, options.transform, augmentRandom);
        let hits: tf.Tensor | undefined;
        const cost = optimizer.minimize(
          () => {
            const out = lossInputs(model, xs, true, output).scores;
            hits = tf.keep(out.argMax(1).equal(ys).sum());
            return lossFn(out, ys);
          },
          true,
          variables,
        )!;
        const loss = cost.dataSync()[0];
        lossSum += loss * (end - start);
        correct += hits!.dataSync()[0];
        tf.dispose([xs, ys, cost, hits!]);
        hooks.onBatchEnd?.(loss);
        if (progress || hooks.onProgress) {
          const state = {
            epoch: epoch + 1,
            epochs,
            batch: b + 1,
            batches,
            loss: lossSum / end,
            accuracy: correct / end,
            elapsed: (performance.now() - runStart) / 1000,
            done: (epoch - startEpoch) * batches + b + 1,
            left: (epochs - epoch) * batches - b - 1,
          };
          hooks.onProgress?.(state);
          await progress?.update(state);
        }
      }
    });
    const seconds = (performance.now() - t0) / 1000;
    const val = validation && validation.count > 0 ? evaluate(model, output, validation, options.loss) : null;
    history.push({
      epoch: epoch + 1,
      loss: lossSum / train.count,
      accuracy: correct / train.count,
      valLoss: val?.loss ?? null,
      valAccuracy: val?.accuracy ?? null,
      learningRate: rate,
      seconds,
      imagesPerSecond: train.count / seconds,
    });
    if (hooks.onEpochEnd) await hooks.onEpochEnd(history, optimizer);
    stoppedEarly = shouldStop(history, options);
    if (progress || hooks.onProgress) {
      const last = history[history.length - 1];
      const v = last.valAccuracy === null ? "" : ` · val acc ${percent(last.valAccuracy)}`;
      const state = {
        epoch: epoch + 1,
        epochs,
        batch: batches,
        batches,
        loss: last.loss,
        accuracy: last.accuracy,
        elapsed: (performance.now() - runStart) / 1000,
        done: (epoch - startEpoch + 1) * batches,
        left: (epochs - epoch - 1) * batches,
      };
      hooks.onProgress?.(state);
      await progress?.update(state, true);
      if (epoch === epochs - 1 || stoppedEarly) {
        const summary =
          `${history.length} epoch${history.length === 1 ? "" : "s"}${
            stoppedEarly && history.length < epochs ? " (stopped early)" : ""
          } · ` +
          `loss ${last.loss.toFixed(3)} · acc ${percent(last.accuracy)}${v}`;
        hooks.onProgress?.(state, summary);
        await progress?.finish(summary);
      }
    }
  }
  return { history, optimizer, stoppedEarly: stoppedEarly && history.length < epochs };
}

/** Early stopping: true when the monitored metric has not improved for `patience` epochs. */
export function shouldStop(history: EpochRecord[], options: Pick<TrainOptions, "earlyStopping">): boolean {
  const rule = options.earlyStopping;
  if (!rule || history.length === 0) return false;
  const values = history.map((h) => (rule.monitor === "valLoss" ? h.valLoss : h.valAccuracy));
  if (values.some((v) => v === null)) {
    throw new Error("early stopping monitors a validation metric: give fit a validation set");
  }
  const sign = rule.monitor === "valLoss" ? -1 : 1; // larger is better after the sign flip
  const minDelta = rule.minDelta ?? 0;
  let best = -Infinity;
  let bestEpoch = -1;
  values.forEach((v, i) => {
    if (sign * v! > best + minDelta) {
      best = sign * v!;
      bestEpoch = i;
    }
  });
  return values.length - 1 - bestEpoch >= rule.patience;
}
