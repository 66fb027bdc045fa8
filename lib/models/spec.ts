/**
 * What an architecture is (a {@link ModelSpec}: its layers, source, parameter counts and the choices made
 * where a paper is vague), building one with seeded weights under a framework's defaults, and reading a
 * built model back (parameter counts, Keras-style layer summary). The papers' architectures themselves live
 * in their folders (`lib/papers/<slug>/paper.ts`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { withSeededRandom } from "../data/random.ts";
import { UserError } from "../errors.ts";
import { type Framework, withFramework } from "./framework_layers.ts";

export { type Framework, FRAMEWORKS } from "./framework_layers.ts";

/** Trainable, non-trainable and total parameter counts. */
export interface ParamCounts {
  trainable: number;
  nonTrainable: number;
  total: number;
}

/** A registered architecture. */
export interface ModelSpec {
  /** Registry name, e.g. `000-three-block`. */
  name: string;
  /** The paper and section that define it. */
  source: string;
  /** One line: the layers. */
  summary: string;
  /** `softmax`: outputs probabilities (Keras papers); `logits`: raw scores (PyTorch papers). */
  output: "softmax" | "logits";
  /** The framework the paper built it with, whose defaults {@link buildModel} follows when asked. */
  framework: Framework;
  /** Parameter counts of the network as built here (pinned by tests). */
  counts: ParamCounts;
  /** What the paper states, where it states a count, and whether it agrees. */
  stated?: { text: string; trainable?: number; nonTrainable?: number; agrees: boolean };
  /** Readings we chose where the paper is vague, and why. */
  choices: string[];
  /** Build the layers (called inside a seeded scope by {@link buildModel}). */
  layers: () => tf.layers.Layer[];
}

/**
 * Build an architecture with seeded weights: the same spec and seed give the same initial weights on every
 * run. With a framework, its defaults (initialisation, softmax head); without, tfjs's.
 */
export function buildFromSpec(spec: ModelSpec, seed = 1, framework?: Framework): tf.Sequential {
  const name = spec.name;
  if (framework !== undefined && framework !== spec.framework) {
    throw new UserError(
      `model "${name}" comes from a ${spec.framework} paper; it cannot be built with ${framework}'s defaults. ` +
        `Fix: use framework "${spec.framework}" (or none, for tfjs's defaults)`,
    );
  }
  return withFramework(
    framework,
    () =>
      withSeededRandom(
        seed,
        () => tf.sequential({ name: name.replace(/[^\w]/g, "_"), layers: spec.layers() }),
      ),
  );
}

/** Whether a model ends in a separate softmax layer (Keras's head): training then reads the scores before it. */
export function endsInSoftmaxLayer(model: tf.LayersModel): boolean {
  const last = model.layers.at(-1);
  return last?.getClassName() === "Activation" &&
    (last.getConfig() as { activation?: string }).activation === "softmax";
}

/** Trainable and non-trainable parameter counts of a model, as Keras's `summary()` reports them. */
export function countParams(model: tf.LayersModel): ParamCounts {
  const size = (ws: tf.LayerVariable[]) =>
    ws.reduce((n, w) => n + (w.shape as number[]).reduce((a: number, b: number) => a * b, 1), 0);
  const trainable = size(model.trainableWeights);
  const nonTrainable = size(model.nonTrainableWeights);
  return { trainable, nonTrainable, total: trainable + nonTrainable };
}

/** One row per layer: its type, output shape and parameter count, like Keras's `model.summary()`. */
export function layerSummary(model: tf.LayersModel): { layer: string; output: string; params: number }[] {
  return model.layers.map((l) => ({
    layer: l.getClassName(),
    output: JSON.stringify(l.outputShape).replace(/null/g, "None"),
    params: l.countParams(),
  }));
}
