/**
 * Every paper experiment under every profile: `paper` uses each paper's own split, batch size, optimizer and
 * epochs (its recipes, declared in its folder under `lib/papers/`); `quick` keeps the recipe on less data or
 * fewer epochs; `smoke` runs one epoch on small seeded slices (for CI).
 *
 * @module
 */
import { checkConfig, type ExperimentConfig } from "./config.ts";
import { currentProfile, type Profile } from "./profile.ts";
import { UserError } from "../errors.ts";
import { modelSpec, paperOfExperiment, recipeOf } from "../papers/registry.ts";

/** What builds the models, losses and optimizers: each paper's own framework's defaults, or tfjs's. */
export type Defaults = "framework" | "tfjs";

/**
 * The defaults an experiment uses: `FMNIST_DEFAULTS` (`framework` or `tfjs`) where set, else its paper's
 * (`defaults` in its folder's `paper.ts`): its framework's once the campaign has stored all its runs under
 * them, tfjs's until then.
 */
export function currentDefaults(name?: string): Defaults {
  const value = Deno.env.get("FMNIST_DEFAULTS") ?? (name ? paperOfExperiment(name).defaults : undefined) ??
    "framework";
  if (value !== "framework" && value !== "tfjs") {
    throw new UserError(`FMNIST_DEFAULTS is "${value}". Fix: set it to framework or tfjs, or unset it`);
  }
  return value;
}

/** Seeds under `quick` and `smoke`, and at the paper's settings where a recipe names no count. */
export const DEFAULT_SEEDS = 3;

/**
 * The seeds an experiment is trained and reported on under a profile: its recipe's count at the paper's
 * settings, {@link DEFAULT_SEEDS} otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { experimentSeeds } from "./experiments.ts";
 * assert.deepEqual(experimentSeeds("000-three-block", "paper"), [1, 2, 3, 4, 5]);
 * assert.deepEqual(experimentSeeds("000-three-block", "quick"), [1, 2, 3]);
 * ```
 */
export function experimentSeeds(name: string, profile: Profile = currentProfile()): number[] {
  const recipe = recipeOf(name);
  const count = profile === "paper" ? recipe.seeds ?? DEFAULT_SEEDS : DEFAULT_SEEDS;
  return Array.from({ length: count }, (_, i) => i + 1);
}

/** Training images, and validation/test images, in a `smoke` run. */
export const SMOKE_LIMITS = { train: 1000, eval: 500 };

/**
 * The config of a paper experiment under a profile (default: `FMNIST_PROFILE`), with optional
 * overrides (e.g. `{ seed: 2 }` for a repeat, `{ optimizer: "adam" }` for a variant).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { experiment } from "./experiments.ts";
 * const config = experiment("000-three-block", "paper");
 * assert.equal(config.epochs, 10);
 * assert.equal(experiment("000-three-block", "quick").epochs, 5);
 * assert.equal(experiment("000-three-block", "paper", { seed: 2 }).seed, 2);
 * ```
 */
export function experiment(
  name: string,
  profile: Profile = currentProfile(),
  overrides: Partial<ExperimentConfig> = {},
): ExperimentConfig {
  const recipe = recipeOf(name);
  const framework = currentDefaults(name) === "framework"
    ? { framework: modelSpec(recipe.model).framework }
    : {};
  const base: ExperimentConfig = {
    model: recipe.model,
    split: recipe.split as ExperimentConfig["split"],
    validationFraction: recipe.validationFraction,
    trainLimit: null,
    evalLimit: null,
    dataSeed: 42,
    stratify: false,
    optimizer: recipe.optimizer as ExperimentConfig["optimizer"],
    learningRate: recipe.learningRate,
    loss: recipe.loss as ExperimentConfig["loss"],
    batchSize: recipe.batchSize,
    epochs: recipe.epochs,
    augmentation: recipe.augmentation ?? null,
    earlyStopping: recipe.earlyStopping ?? null,
    seed: 1,
    profile,
    ...framework,
  };
  if (profile === "quick") {
    base.epochs = recipe.quick.epochs;
    base.trainLimit = recipe.quick.trainLimit ?? null;
  } else if (profile === "smoke") {
    base.epochs = 1;
    base.trainLimit = SMOKE_LIMITS.train;
    base.evalLimit = SMOKE_LIMITS.eval;
    base.stratify = true;
  }
  try {
    checkConfig(base);
  } catch (error) {
    throw new UserError(
      `the recipe of experiment "${name}" is not a valid config: ${(error as Error).message}`,
    );
  }
  return { ...base, ...overrides };
}
