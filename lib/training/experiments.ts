/**
 * Every paper experiment under every profile, in one place: `paper` uses each paper's own split,
 * batch size, optimizer and epochs; `quick` keeps the recipe on less data or fewer epochs;
 * `smoke` runs one epoch on small seeded slices (for CI).
 *
 * @module
 */
import type { ExperimentConfig } from "./config.ts";
import { currentProfile, type Profile } from "./profile.ts";
import { UserError } from "../errors.ts";
import { modelSpec } from "../models/registry.ts";

/** What builds the models, losses and optimizers: each paper's own framework's defaults, or tfjs's. */
export type Defaults = "framework" | "tfjs";

/**
 * The defaults experiments use: `FMNIST_DEFAULTS` (`framework` or `tfjs`), else tfjs's, which every
 * stored `paper` and `quick` run was trained with. The campaign that retrains them under the papers'
 * frameworks runs with `FMNIST_DEFAULTS=framework`; the default flips once its runs are all stored.
 */
export function currentDefaults(): Defaults {
  const value = Deno.env.get("FMNIST_DEFAULTS") ?? "tfjs";
  if (value !== "framework" && value !== "tfjs") {
    throw new UserError(`FMNIST_DEFAULTS is "${value}". Fix: set it to framework or tfjs, or unset it`);
  }
  return value;
}

/** A paper's recipe for one model, and how `quick` trims it. */
interface Recipe {
  /** The experiment's name, when it is not the model's (a variant of a recipe). */
  name?: string;
  model: string;
  /** Where the recipe comes from, and what the paper leaves open. */
  source: string;
  split: ExperimentConfig["split"];
  validationFraction: number;
  optimizer: ExperimentConfig["optimizer"];
  learningRate: number;
  loss: ExperimentConfig["loss"];
  batchSize: number;
  epochs: number;
  augmentation?: string | null;
  earlyStopping?: ExperimentConfig["earlyStopping"];
  quick: { epochs: number; trainLimit?: number | null };
}

const SEED002 =
  "Sivakumar et al., section IV: 60:20:20 split; optimizer, batch size and epochs not stated, so Keras's " +
  "defaults (Adam 1e-3, batch 32) and 10 epochs";
/** Sivakumar et al.'s recipe for one model, on the 70,000-image reading of its split. */
const seed002 = (model: string): Recipe => ({
  model,
  source: SEED002,
  split: "602020",
  validationFraction: 0,
  optimizer: "adam",
  learningRate: 1e-3,
  loss: "crossEntropy",
  batchSize: 32,
  epochs: 10,
  quick: { epochs: 5 },
});

/**
 * `quick` keeps TinyVGG's epochs (they are the variable of Table IV) but trains on a seeded sixth of the
 * training set, so a laptop reruns all twelve rows of Tables I-VI in minutes rather than hours.
 */
const TINYVGG_QUICK_IMAGES = 10_000;

const TINYVGG_DEFAULT: Recipe = {
  model: "004-tinyvgg",
  source:
    "Tang et al., section IV-D: default model, SGD lr 0.1, batch 32, 3 epochs, CrossEntropyLoss, MaxPool",
  split: "official",
  validationFraction: 0,
  optimizer: "sgd",
  learningRate: 0.1,
  loss: "crossEntropy",
  batchSize: 32,
  epochs: 3,
  quick: { epochs: 3, trainLimit: TINYVGG_QUICK_IMAGES },
};

/** A TinyVGG variant: the default with one setting changed, as a row of Tang et al.'s Tables I-VI. */
const tinyVgg = (suffix: string, table: string, change: Partial<Recipe>): Recipe => ({
  ...TINYVGG_DEFAULT,
  name: `004-tinyvgg-${suffix}`,
  source: `Tang et al., ${table}: the default model with ${suffix}`,
  ...change,
  quick: { epochs: change.epochs ?? TINYVGG_DEFAULT.epochs, trainLimit: TINYVGG_QUICK_IMAGES },
});

/** The default TinyVGG and its variants, one per non-default row of Tables I-VI. */
const TINYVGG: Recipe[] = [
  TINYVGG_DEFAULT,
  tinyVgg("adam", "Table I", { optimizer: "adam" }),
  tinyVgg("adam-lr0.001", "Table I, the likely intent (not in the paper)", {
    optimizer: "adam",
    learningRate: 0.001,
    source:
      "not in Tang et al.: Table I's Adam at 0.001, PyTorch's default rate for Adam, instead of SGD's 0.1",
  }),
  tinyVgg("multimargin", "Table II", { loss: "multiMargin" }),
  tinyVgg("nll", "Table II (NLLLoss fed the raw scores, the literal reading)", { loss: "nll" }),
  tinyVgg("b8", "Table III", { batchSize: 8 }),
  tinyVgg("b128", "Table III", { batchSize: 128 }),
  tinyVgg("e1", "Table IV", { epochs: 1 }),
  tinyVgg("e21", "Table IV", { epochs: 21 }),
  tinyVgg("lr0.001", "Table V", { learningRate: 0.001 }),
  tinyVgg("lr0.01", "Table V", { learningRate: 0.01 }),
  tinyVgg("avgpool", "Table VI", { model: "004-tinyvgg-avgpool" }),
];

/**
 * Band et al.'s baseline is our slowest model (about 140 images/s on both cores), so `quick` trains the
 * baseline, the enhanced model and the ablation on a seeded quarter of the 48,000 training images for half
 * the paper's epochs: three seeds of all five recipes in about 3.5 hours on two cores instead of 15.
 */
const BAND_QUICK_IMAGES = 12_000;

const BAND_BASELINE: Recipe = {
  model: "003-baseline",
  source:
    "Band et al. 2024, 'Training Process': Adam 1e-3, batch 64, 20 epochs; a portion of the training set " +
    "for validation (20% assumed)",
  split: "official",
  validationFraction: 0.2,
  optimizer: "adam",
  learningRate: 1e-3,
  loss: "crossEntropy",
  batchSize: 64,
  epochs: 20,
  quick: { epochs: 10, trainLimit: BAND_QUICK_IMAGES },
};

/**
 * Band et al. 2024: the baseline, the enhanced model as the Conclusion describes it (augmentation and batch
 * normalisation, Adam 5e-4; 30 epochs, the Conclusion's figure among the paper's "30", "50-75"), and an
 * ablation the paper never ran: the baseline's recipe with augmentation only, batch normalisation only, both.
 */
const BAND: Recipe[] = [
  BAND_BASELINE,
  {
    ...BAND_BASELINE,
    name: "003-enhanced",
    model: "003-enhanced",
    source:
      "Band et al. 2024, Conclusion: augmentation and batch normalisation, Adam 5e-4, batch 64, 30 epochs " +
      "(the Implementation section says 50-75)",
    learningRate: 5e-4,
    epochs: 30,
    augmentation: "band2024",
    quick: { epochs: 15, trainLimit: BAND_QUICK_IMAGES },
  },
  {
    ...BAND_BASELINE,
    name: "003-ablation-aug",
    source: "ablation: 003-baseline + augmentation",
    augmentation: "band2024",
  },
  {
    ...BAND_BASELINE,
    name: "003-ablation-bn",
    model: "003-baseline-bn",
    source: "ablation: 003-baseline + batch norm",
  },
  {
    ...BAND_BASELINE,
    name: "003-ablation-both",
    model: "003-baseline-bn",
    source: "ablation: 003-baseline + batch norm + augmentation",
    augmentation: "band2024",
  },
];

/** The paper recipes, by experiment name (the model name, or the variant's name). */
export const RECIPES: Readonly<Record<string, Recipe>> = Object.fromEntries(
  ([
    seed002("002-ann"),
    seed002("002-model1"),
    seed002("002-model2"),
    seed002("002-model2-stride2"),
    seed002("002-model3"),
    // The other reading of the split: 60:20:20 of the 60,000 images the data section counts.
    ...["002-ann", "002-model1", "002-model2", "002-model2-stride2", "002-model3"].map((model): Recipe => ({
      ...seed002(model),
      name: `${model}-split60k`,
      source:
        `${SEED002}; the split read as 60:20:20 of the 60,000 training images (36,000/12,000/12,000), ` +
        "a sensitivity row beside the 70,000-image reading",
      split: "602020-train",
    })),
    {
      model: "000-three-block",
      source:
        "Abdul Aziz & Sayed, section 4: Adam 1e-3, 10 epochs, validation sampled from the training partition " +
        "(share and batch size not stated: 10% and Keras's batch 32)",
      split: "official",
      validationFraction: 0.1,
      optimizer: "adam",
      learningRate: 1e-3,
      loss: "crossEntropy",
      batchSize: 32,
      epochs: 10,
      quick: { epochs: 5 },
    },
    ...["001-basic", "001-enhanced"].flatMap((model): Recipe[] => {
      const recipe: Recipe = {
        model,
        source:
          "Awasthi & Soni 2024, Table 1: 80/20 train/validation split, batch 512, 100 epochs (optimizer not stated: Adam 1e-3)",
        split: "official",
        validationFraction: 0.2,
        optimizer: "adam",
        learningRate: 1e-3,
        loss: "crossEntropy",
        batchSize: 512,
        epochs: 100,
        quick: { epochs: 10 },
      };
      // Beyond the paper: the same run stopped once validation loss has not improved for 5 epochs.
      const stopped: Recipe = {
        ...recipe,
        name: `${model}-early-stop`,
        source: `${recipe.source}; stopped early on validation loss, patience 5 (not in the paper)`,
        earlyStopping: { monitor: "valLoss", patience: 5 },
      };
      return [recipe, stopped];
    }),
    ...BAND,
    ...TINYVGG,
    {
      // The paper gives the ANN the default model's training: SGD 0.1, batch 32, cross-entropy.
      ...TINYVGG_DEFAULT,
      model: "004-ann",
      source:
        "Tang et al., section III: ANN trained 5 epochs (optimizer and batch as the default model: SGD 0.1, 32)",
      epochs: 5,
      quick: { epochs: 5 },
    },
  ] as Recipe[]).map((r) => [r.name ?? r.model, r]),
);

/** Training images, and validation/test images, in a `smoke` run. */
export const SMOKE_LIMITS = { train: 1000, eval: 500 };

/**
 * The config of a paper experiment under a profile (default: `FMNIST_PROFILE`), with optional
 * overrides (e.g. `{ seed: 2 }` for a repeat, `{ optimizer: "adam" }` for a variant).
 *
 * @example
 * ```ts
 * const config = experiment("000-three-block", "paper");
 * ```
 */
export function experiment(
  name: string,
  profile: Profile = currentProfile(),
  overrides: Partial<ExperimentConfig> = {},
): ExperimentConfig {
  const recipe = RECIPES[name];
  if (!recipe) throw new UserError(`unknown experiment "${name}". Known: ${Object.keys(RECIPES).join(", ")}`);
  const framework = currentDefaults() === "framework" ? { framework: modelSpec(recipe.model).framework } : {};
  const base: ExperimentConfig = {
    model: recipe.model,
    split: recipe.split,
    validationFraction: recipe.validationFraction,
    trainLimit: null,
    evalLimit: null,
    dataSeed: 42,
    stratify: false,
    optimizer: recipe.optimizer,
    learningRate: recipe.learningRate,
    loss: recipe.loss,
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
  return { ...base, ...overrides };
}
