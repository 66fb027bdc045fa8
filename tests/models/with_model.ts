/** A shared helper of the model tests: build a model, check it, and always free its weights. */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";

/** Build a model, run `check` on it, and dispose of it even when the check throws. */
export function withModel(build: () => tf.LayersModel, check: (model: tf.LayersModel) => void): void {
  const model = build();
  try {
    check(model);
  } finally {
    model.dispose();
  }
}

/**
 * One forward pass of two random 32x32x3 images through a 10-class model: softmax rows of ten finite
 * probabilities summing to 1, and no tensor left behind.
 */
export function checkTinyForwardPass(model: tf.LayersModel): void {
  const before = tf.memory().numTensors;
  const probs = tf.tidy(() => model.predict(tf.randomUniform([2, 32, 32, 3], 0, 255)) as tf.Tensor);
  assert.deepEqual(probs.shape, [2, 10]);
  const sums = tf.tidy(() => Array.from(probs.sum(1).dataSync()));
  for (const s of sums) assert.ok(Math.abs(s - 1) < 1e-4, `row sums to ${s}`);
  assert.ok(Array.from(probs.dataSync()).every(Number.isFinite), "every probability is finite");
  probs.dispose();
  assert.equal(tf.memory().numTensors, before, "no tensor leaks");
}
