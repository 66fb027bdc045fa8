/**
 * What a paper folder declares: its reference, the framework it was built with, its architectures, its
 * training recipes and its claims catalogue. Each `lib/papers/<slug>/paper.ts` exports one
 * {@link PaperDefinition}; `registry.ts` lists them.
 *
 * @module
 */
import type { Framework, ModelSpec } from "../models/spec.ts";

/** A paper's full reference and the short label the text cites it by. */
export interface PaperReference {
  /** Authors, in the paper's order. */
  authors: string[];
  title: string;
  /** Journal, or the institution of a report, as the paper states it. */
  venue: string;
  /** Year of publication; null where the paper states none. */
  year: number | null;
  /** What is not stated and what we infer, with the evidence. */
  note?: string;
  /** Short label used in the text, e.g. "Sivakumar et al.". */
  label: string;
}

/**
 * A paper's recipe for one model, and how `quick` trims it. Field values are the experiment config's
 * (`lib/training/config.ts`): `experiment()` checks them when it builds a config, and a test checks every
 * recipe of every paper.
 */
export interface Recipe {
  /** The experiment's name, when it is not the model's (a variant of a recipe). */
  name?: string;
  model: string;
  /** Where the recipe comes from, and what the paper leaves open. */
  source: string;
  /** `official`, `602020` or `602020-train`. */
  split: string;
  validationFraction: number;
  /** An optimizer name of `lib/training/losses.ts` (`adam`, `sgd`, ...). */
  optimizer: string;
  learningRate: number;
  /** A loss name of `lib/training/losses.ts` (`crossEntropy`, ...). */
  loss: string;
  batchSize: number;
  epochs: number;
  augmentation?: string | null;
  earlyStopping?: { monitor: "valLoss" | "valAccuracy"; patience: number } | null;
  quick: { epochs: number; trainLimit?: number | null };
  /**
   * Seeds at the paper's settings (default 3): 5 where a run takes minutes, more where a claim turns on the
   * spread. `quick` and `smoke` train 3.
   */
  seeds?: number;
}

/** One paper, as its folder declares it. */
export interface PaperDefinition {
  /** Internal id: the prefix of its model names, experiment names and claim ids ("002"). */
  id: string;
  /** Folder name under `lib/papers/`, readable ("sivakumar"). */
  slug: string;
  reference: PaperReference;
  /** The framework the paper used, whose defaults build its models and recipes. */
  framework: Framework;
  /**
   * The defaults its experiments use unless `FMNIST_DEFAULTS` says otherwise: its framework's (when absent),
   * or tfjs's while the store holds its runs under tfjs's defaults only (the campaign has not finished
   * retraining them under its framework's; `deno run -A lib/tools/campaign.ts --status` tells).
   */
  defaults?: "framework" | "tfjs";
  /** Its notebooks (file names without `.ipynb`), in reading order. */
  notebooks: string[];
  models: ModelSpec[];
  recipes: Recipe[];
  /** The claims catalogue as JSON (validated by `lib/analysis/catalogue.ts`). */
  claims: unknown;
}
