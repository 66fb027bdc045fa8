/**
 * What defines one training run: a plain config, and the check that refuses configs that cannot run.
 *
 * @module
 */
import { z } from "zod";
import { UserError } from "../errors.ts";
import { AUGMENTATIONS } from "../data/augment.ts";
import { LOSSES, type LossName, type OptimizerName, OPTIMIZERS } from "./losses.ts";
import { type Framework, FRAMEWORKS } from "../models/spec.ts";
import { MODELS, modelSpec } from "../papers/registry.ts";
import { type Profile, PROFILES } from "./profile.ts";

/** The data splits a config can name. */
export const SPLITS = ["official", "602020", "602020-train"] as const;

/** Everything that defines one training run. Plain data: it is hashed into the run's key. */
export interface ExperimentConfig {
  /** Registered model name (see `lib/papers/registry.ts`). */
  model: string;
  /**
   * `official`: the published 60,000/10,000 sets; `602020`: Sivakumar et al.'s 60:20:20 split of all
   * 70,000 images; `602020-train`: the same split of the 60,000 training images only.
   */
  split: (typeof SPLITS)[number];
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
  /**
   * The paper's framework, whose defaults build the model, its loss and optimizer (initialisation,
   * cross-entropy from logits, Adam's epsilon); absent: tfjs's defaults, as runs stored before were built.
   */
  framework?: Framework;
}

/** What each field must be, in words (the schema below checks it; errors quote it). */
const RULES: Record<keyof ExperimentConfig, string> = {
  model: `a registered model (${Object.keys(MODELS).join(", ")})`,
  split: `one of ${SPLITS.join(", ")}`,
  validationFraction: "a number from 0 up to (not including) 1",
  trainLimit: "a positive whole number, or null for all",
  evalLimit: "a positive whole number, or null for all",
  dataSeed: "a whole number >= 0",
  stratify: "true or false",
  optimizer: `one of ${OPTIMIZERS.join(", ")}`,
  learningRate: "a positive number",
  loss: `one of ${LOSSES.join(", ")}`,
  batchSize: "a positive whole number",
  epochs: "a positive whole number",
  augmentation: `null or one of ${Object.keys(AUGMENTATIONS).join(", ")}`,
  earlyStopping: 'null or { "monitor": "valLoss" | "valAccuracy", "patience": a positive whole number }',
  seed: "a whole number >= 0",
  profile: `one of ${PROFILES.join(", ")}`,
  framework: `absent, or the model's paper's framework (one of ${FRAMEWORKS.join(", ")})`,
};

const count = z.number().int().positive();
const wholeFrom0 = z.number().int().nonnegative();

/** The schema of {@link ExperimentConfig}: every field's type, range and allowed values; no other fields. */
export const EXPERIMENT_CONFIG = z.strictObject({
  model: z.string().refine((name) => Object.hasOwn(MODELS, name)),
  split: z.enum(SPLITS),
  validationFraction: z.number().min(0).lt(1),
  trainLimit: count.nullable(),
  evalLimit: count.nullable(),
  dataSeed: wholeFrom0,
  stratify: z.boolean(),
  optimizer: z.enum(OPTIMIZERS),
  learningRate: z.number().positive().finite(),
  loss: z.enum(LOSSES),
  batchSize: count,
  epochs: count,
  augmentation: z.string().refine((name) => Object.hasOwn(AUGMENTATIONS, name)).nullable(),
  earlyStopping: z.strictObject({ monitor: z.enum(["valLoss", "valAccuracy"]), patience: count }).nullable(),
  seed: wholeFrom0,
  profile: z.enum(PROFILES),
  framework: z.enum(FRAMEWORKS).optional(),
});

/**
 * Refuse a config that cannot run, before anything trains: one line naming the field, the value it has
 * and what it must be (a `UserError`: `error: ...`, exit status 2, from every entry point).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkConfig } from "./config.ts";
 * import { experiment } from "./experiments.ts";
 * assert.throws(
 *   () => checkConfig({ ...experiment("000-three-block", "quick"), split: "8020" as "official" }),
 *   /config field "split" is "8020": use one of official, 602020, 602020-train/,
 * );
 * ```
 */
export function checkConfig(config: ExperimentConfig): void {
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new UserError(
      `a config must be a JSON object of ${Object.keys(RULES).join(", ")}; got ${JSON.stringify(config)}`,
    );
  }
  const parsed = EXPERIMENT_CONFIG.safeParse(config);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      if (issue.code === "unrecognized_keys") {
        return `unknown config field${issue.keys.length > 1 ? "s" : ""} ${
          issue.keys.map((k) => `"${k}"`).join(", ")
        }` +
          ` (the fields are ${Object.keys(RULES).join(", ")})`;
      }
      const field = String(issue.path[0]) as keyof ExperimentConfig;
      const value = (config as unknown as Record<string, unknown>)[field];
      const shown = value === undefined ? "missing" : `${JSON.stringify(value)}`;
      return `config field "${field}" is ${shown}: use ${RULES[field] ?? issue.message}`;
    });
    throw new UserError([...new Set(problems)].join("; "));
  }
  if (config.framework !== undefined && config.framework !== modelSpec(config.model).framework) {
    throw new UserError(
      `config field "framework" is "${config.framework}", but ${config.model} comes from a ` +
        `${modelSpec(config.model).framework} paper. Fix: use "${
          modelSpec(config.model).framework
        }" or leave it out`,
    );
  }
  if (config.earlyStopping && config.validationFraction === 0 && config.split === "official") {
    throw new UserError("early stopping needs a validation set. Fix: set validationFraction > 0");
  }
}
