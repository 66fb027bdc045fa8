/**
 * What defines one training run: a plain config, and the check that refuses configs that cannot run.
 *
 * @module
 */
import { UserError } from "../errors.ts";
import { augmentationNamed } from "../data/augment.ts";
import { type LossName, type OptimizerName } from "./losses.ts";
import { modelSpec } from "../models/registry.ts";
import { type Profile } from "./profile.ts";

/** Everything that defines one training run. Plain data: it is hashed into the run's key. */
export interface ExperimentConfig {
  /** Registered model name (see `lib/models/registry.ts`). */
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
  if (config.augmentation !== null) augmentationNamed(config.augmentation);
  if (config.earlyStopping && config.validationFraction === 0 && config.split === "official") {
    throw new UserError("early stopping needs a validation set. Fix: set validationFraction > 0");
  }
}
