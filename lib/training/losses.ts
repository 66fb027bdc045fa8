/**
 * Loss functions with the semantics the papers' frameworks give them, for integer labels:
 * Keras's sparse categorical cross-entropy, and PyTorch's `CrossEntropyLoss`, `MultiMarginLoss`
 * and `NLLLoss` (Tang et al.'s Table II compares the last three).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Framework } from "../models/spec.ts";

/** The losses the papers use. */
export type LossName = "crossEntropy" | "multiMargin" | "nll";
/** Every loss name. */
export const LOSSES: readonly LossName[] = ["crossEntropy", "multiMargin", "nll"];

/** What a model's last layer emits: probabilities (softmax) or raw scores (logits). */
export type OutputKind = "softmax" | "logits";

/**
 * The clip applied to probabilities before the log when a loss is given probabilities (Keras's
 * `epsilon()`, used by Keras only when no logits lie behind them). It caps each image's loss at 16.1; runs
 * under Keras's defaults never take this path (their softmax is a separate layer, read before it).
 */
const EPSILON = 1e-7;

/** A loss: model outputs [n, k] and int32 labels [n] to a mean over the batch. */
export type LossFn = (outputs: tf.Tensor2D, labels: tf.Tensor1D) => tf.Scalar;

/**
 * The loss function for a name and an output kind.
 *
 * - `crossEntropy`: on logits, mean of -log_softmax(x)[y]: PyTorch's `CrossEntropyLoss`, and Keras's
 *   sparse categorical cross-entropy as TensorFlow computes it behind a softmax layer (from its logits,
 *   unbounded); on probabilities, mean of -log p[y] with p clipped to [1e-7, 1-1e-7] (tfjs-style, the
 *   runs stored before framework defaults).
 * - `multiMargin`: PyTorch's `MultiMarginLoss` (p = 1, margin = 1): for each sample,
 *   sum over i != y of max(0, 1 - x[y] + x[i]), divided by the number of classes; mean over the batch.
 * - `nll`: PyTorch's `NLLLoss`: mean of -x[y]. It expects log-probabilities; fed raw scores (as
 *   Tang et al. appear to have done) it is unbounded below, since raising x[y] lowers it forever.
 */
export function lossFunction(name: LossName, output: OutputKind): LossFn {
  switch (name) {
    case "crossEntropy":
      return (outputs, labels) =>
        tf.tidy(() => {
          const mask = tf.oneHot(labels, outputs.shape[1]);
          const logp = output === "softmax"
            ? tf.log(tf.clipByValue(outputs, EPSILON, 1 - EPSILON))
            : tf.logSoftmax(outputs);
          return tf.neg(tf.sum(tf.mul(mask, logp))).div(outputs.shape[0]) as tf.Scalar;
        });
    case "multiMargin":
      return (outputs, labels) =>
        tf.tidy(() => {
          const [n, k] = outputs.shape;
          const mask = tf.oneHot(labels, k);
          const target = tf.sum(tf.mul(mask, outputs), 1, true);
          const margins = tf.relu(tf.add(tf.sub(outputs, target), 1));
          const others = tf.mul(margins, tf.sub(1, mask));
          return tf.sum(others).div(n * k) as tf.Scalar;
        });
    case "nll":
      return (outputs, labels) =>
        tf.tidy(() => {
          const mask = tf.oneHot(labels, outputs.shape[1]);
          return tf.neg(tf.sum(tf.mul(mask, outputs))).div(outputs.shape[0]) as tf.Scalar;
        });
    default:
      throw new Error(`unknown loss "${name}". Fix: use one of ${LOSSES.join(", ")}`);
  }
}

/** The optimizers the papers use. */
export type OptimizerName = "sgd" | "adam" | "rmsprop" | "adagrad" | "adadelta";
/** Every optimizer name. */
export const OPTIMIZERS: readonly OptimizerName[] = ["sgd", "adam", "rmsprop", "adagrad", "adadelta"];

/**
 * Optimizer constants by framework where they differ from tfjs's: PyTorch's Adam adds 1e-8 to the
 * denominator, Keras's (and tfjs's) 1e-7. Keras's RMSprop (rho 0.9, epsilon 1e-7), Adagrad (initial
 * accumulator 0.1) and Adadelta (rho 0.95) are tfjs's defaults as well.
 */
export const ADAM_EPSILON: Readonly<Record<Framework | "tfjs", number>> = {
  keras: 1e-7,
  pytorch: 1e-8,
  tfjs: 1e-7,
};

/**
 * A tfjs optimizer by name with an explicit learning rate (no hidden defaults: frameworks disagree on
 * them, e.g. Adadelta's is 1.0 in PyTorch and 0.001 in Keras), and the constants of `framework`.
 */
export function makeOptimizer(
  name: OptimizerName,
  learningRate: number,
  framework?: Framework,
): tf.Optimizer {
  if (!(learningRate > 0)) throw new RangeError(`learning rate must be positive, got ${learningRate}`);
  switch (name) {
    case "sgd":
      return tf.train.sgd(learningRate);
    case "adam":
      return tf.train.adam(learningRate, 0.9, 0.999, ADAM_EPSILON[framework ?? "tfjs"]);
    case "rmsprop":
      return tf.train.rmsprop(learningRate);
    case "adagrad":
      return tf.train.adagrad(learningRate);
    case "adadelta":
      return tf.train.adadelta(learningRate);
    default:
      throw new Error(`unknown optimizer "${name}". Fix: use one of ${OPTIMIZERS.join(", ")}`);
  }
}
