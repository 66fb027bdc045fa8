/** A shared helper of the model tests: build a model, check it, and always free its weights. */
import type * as tf from "@tensorflow/tfjs";

/** Build a model, run `check` on it, and dispose of it even when the check throws. */
export function withModel(build: () => tf.LayersModel, check: (model: tf.LayersModel) => void): void {
  const model = build();
  try {
    check(model);
  } finally {
    model.dispose();
  }
}
