/**
 * The claims catalogue: every checkable statement a paper makes about its own work, as data
 * (`lib/papers/<slug>/claims.json`), read in full from each paper: numbers in text and tables, settings,
 * parameter counts and sizes, per-class tables cell by cell, confusion statements, statements about
 * curves, comparisons, and internal contradictions (two numbers for one thing are two claims, plus one
 * claim naming the contradiction). Results a paper cites from other work are not its claims; each
 * catalogue says once which it left out. Each claim names the rule that judges it and what the rule is
 * applied to (`check`), and the notebook that shows its verdict; `verdicts.ts` applies them.
 *
 * @module
 */
import { PAPER_LIST } from "../papers/registry.ts";

/** What kind of statement a claim is; each kind will be judged by its own rule. */
export type ClaimKind =
  | "metric"
  | "per-class-metric"
  | "data"
  | "setting"
  | "count"
  | "timing"
  | "confusion"
  | "curve"
  | "comparison"
  | "contradiction"
  | "other";

/** Every claim kind. */
export const CLAIM_KINDS: readonly ClaimKind[] = [
  "metric",
  "per-class-metric",
  "data",
  "setting",
  "count",
  "timing",
  "confusion",
  "curve",
  "comparison",
  "contradiction",
  "other",
];

/** Per-run numbers a "seed-range" check can measure (each run of `runs`, one value per seed). */
export type RunMeasure =
  | "test-accuracy" // points
  | "test-error-rate" // points (100 - accuracy)
  | "train-accuracy" // last epoch, points
  | "val-accuracy" // last epoch, points
  | "first-train-accuracy" // training accuracy over the first epoch, points (how fast a run learns)
  | "first-val-accuracy" // after the first epoch, points (how fast a run converges)
  | "train-val-gap" // last epoch training minus validation accuracy, points
  | "train-test-gap" // last epoch training accuracy minus test accuracy, points
  | "train-loss" // last epoch, loss
  | "epoch-seconds" // mean wall-clock seconds per epoch on this machine (for comparisons only)
  | "train-seconds" // wall-clock seconds of the whole training on this machine (for comparisons only)
  | "test-loss" // loss
  | "val-loss" // last epoch, loss
  | "macro-f1" // score
  | "macro-precision" // score
  | "macro-recall" // score
  | "class-f1" // score, needs `class`
  | "class-precision" // score, needs `class`
  | "class-recall"; // score, needs `class`

/** Per-run yes/no statements a "holds" check tests (each run of `runs`, one outcome per seed). */
export type RunTest =
  /** `class`'s `top` (default 1) most frequent wrong predictions include one of `with`. */
  | { test: "confuses"; class: string; with: string[]; top?: number }
  /** Test images of classes `from` predicted as one of `to`: at most `max` (default 0). */
  | { test: "no-errors-between"; from: string[]; to: string[]; max?: number }
  /** At least `share` of all test errors have both true and predicted class inside `classes`. */
  | { test: "errors-within"; classes: string[]; share: number }
  /** The pair `classes` (both directions summed) is the largest confusion between any two classes. */
  | { test: "largest-confusion-pair"; classes: [string, string] }
  /** `class` has the lowest test F1 of the ten classes. */
  | { test: "lowest-f1"; class: string }
  /** The classes `classes` are the |classes| highest test F1s (in any order). */
  | { test: "highest-f1"; classes: string[] }
  /** Every class in `classes` has test F1 of at least `min`. */
  | { test: "f1-at-least"; classes: string[]; min: number }
  /** Every class in `classes` has test F1 of at most `max`. */
  | { test: "f1-at-most"; classes: string[]; max: number }
  /** The lowest validation loss falls at an epoch in [from, to] and the last epoch's is higher. */
  | { test: "val-loss-min-between"; from: number; to: number }
  /** Fit diagnosis by the stated rule (FIT_RULE_TEXT in diagnosis.ts) equals `fit`. */
  | { test: "fit"; fit: "good fit" | "overfitting" | "underfitting" }
  /** The last epoch's state by Awasthi & Soni's three written rules (PAPER_FIT_RULES in diagnosis.ts). */
  | { test: "paper-fit"; fit: "good fit" | "overfitting" | "underfitting" | "in between" }
  /** Training minus validation accuracy stays at most `max` points at every epoch up to `epoch`. */
  | { test: "gap-at-most-until"; epoch: number; max: number }
  /** Accuracy (`curve` "train" or "val") at `epoch` is within `within` points of its best over the run. */
  | { test: "plateau-by"; curve: "train" | "val"; epoch: number; within: number }
  /** `curve` ("train"/"val" accuracy) rises at every epoch up to `epoch`; with `within`, never falls more
   * than `within` points below its best so far (rising, with room for noise). */
  | { test: "rises-until"; curve: "train" | "val"; epoch: number; within?: number }
  /** Of the total change of `curve` ("train-loss"/"val-loss"/"train"/"val") over the run, at least `share` happens by `epoch`. */
  | { test: "mostly-by"; curve: "train-loss" | "val-loss" | "train" | "val"; epoch: number; share: number }
  /** `measure` of `runs` compared with the same seed's `measure` of `other` by `relation`
   * (">" "<", or "≈" within `within` in the measure's unit). */
  | { test: "compare"; measure: RunMeasure; other: string; relation: ">" | "<" | "≈"; within?: number }
  /** `curve` ("train"/"val" accuracy) of `runs` is above the same seed's `other` at every epoch from `from`
   * (default 1) to the shorter run's last. */
  | { test: "above-throughout"; curve: "train" | "val"; other: string; from?: number }
  /** `curve` ("train"/"val" accuracy) of `runs` moves less from epoch to epoch than `other`'s (mean absolute
   * change, in points, over the epochs from `from` on): the steadier curve. */
  | { test: "steadier"; curve: "train" | "val"; other: string; from: number }
  /** `measure` of `runs` is the largest ("max") or smallest ("min") among `runs` and `among` (same seed). */
  | { test: "extreme"; measure: RunMeasure; among: string[]; which: "max" | "min" }
  /** Test predictions of `runs` equal those of `other` (same seed), image for image. */
  | { test: "same-predictions"; other: string };

/** Deterministic numbers a "count" check computes (no training). */
export type CountMeasure =
  | "params" // total parameters of `model`
  | "trainable-params" // trainable parameters of `model`
  | "non-trainable-params" // non-trainable parameters of `model` (batch-norm moving statistics)
  | "layer-params" // parameters of layer `layer` of `model` (0-based, as layerSummary lists them)
  | "layer-trainable-params" // trainable parameters of layer `layer` of `model`
  | "layer-kernel" // weights of layer `layer`'s kernel (without its biases)
  | "layer-biases" // biases of layer `layer`
  | "weights-mb" // float32 weights of `model` in MB (1e6 bytes)
  | "trainable-mib" // float32 trainable weights of `model` in MiB (2^20 bytes: Keras's summary "MB")
  | "non-trainable-kib" // float32 non-trainable weights of `model` in KiB (1,024 bytes: Keras's "KB")
  | "multiply-adds" // multiply-adds of one forward pass of `model`
  | "dataset-images" // train + test images
  | "train-images"
  | "test-images"
  | "classes"
  | "pixels"; // features per image (784)

/** Deterministic yes/no statements a "fact" check tests (no training). */
export type Fact =
  /** Every class has the same number of images in train and in test. */
  | { fact: "classes-balanced" }
  /** Pixel values span exactly [min, max]. */
  | { fact: "pixel-range"; min: number; max: number }
  /** `model`'s layer `layer` (0-based, as layerSummary lists) outputs `shape` (e.g. "13x13x32"). */
  | { fact: "output-shape"; model: string; layer: number; shape: string }
  /** Two registry models have the same layers and parameter counts. */
  | { fact: "same-architecture"; model: string; other: string }
  /** PCA scores of the training images are uncorrelated (|r| < 1e-3 between the first 10 components). */
  | { fact: "pca-uncorrelated" }
  /** The models' multiply-adds increase in the order listed (a proxy for relative CPU speed). */
  | { fact: "multiply-adds-order"; models: string[] }
  /**
   * The models' milliseconds per image on this CPU increase in the order listed, read from the stored
   * measurement `measurement` (`data/measurements/<name>.json`, a record of ms by model name).
   */
  | { fact: "latency-order"; models: string[]; measurement: string }
  /**
   * Each experiment of `faster` trains in less time than each of `slower` by more than
   * {@link TIME_ORDER_MARGIN}, per epoch or per whole run (epochs x epoch), on idle timings of their recipes
   * (`timeRecipes`, stored as measurement `measurement`).
   */
  | { fact: "time-order"; faster: string[]; slower: string[]; per: "epoch" | "run"; measurement: string };

/**
 * Two idle training times differ only when they differ by more than this fraction: single timings of one
 * recipe on this machine vary by up to 10%, means of three rounds by a few percent (notebook 05 shows the
 * rounds).
 */
export const TIME_ORDER_MARGIN = 0.05;

/**
 * The literal reading of an ambiguous claim: the experiments it would be judged on instead (any of `runs`,
 * `other`, `among`), judged and shown beside the reading the check argues for.
 */
export interface Literal {
  /** The reading, in words: "NLLLoss fed the raw scores". */
  reading: string;
  runs?: string;
  other?: string;
  among?: string[];
}

/** How a claim is judged: the rule and what it is applied to. */
export type ClaimCheck =
  | {
    rule: "seed-range";
    /** Experiment name in RECIPES, judged at the paper profile over every stored seed. */
    runs: string;
    measure: RunMeasure;
    class?: string;
    /** The stated value in the measure's unit (accuracy 88.8 in points, F1 0.72). */
    value: number;
    unit: "points" | "score" | "loss";
    /** True when the claim is about training at the paper's settings (final metrics, curves, gaps). */
    paperSettings?: boolean;
    /** Set when runs at the paper's settings cost hours and fewer than 3 seeds are accepted: why. */
    fewerSeedsBecause?: string;
    /** Set when the paper's settings cost too much to run at all: why; judged on the `quick` runs. */
    reducedSettings?: string;
    /** Where the words allow two readings and `runs` is the one argued for: the literal reading's runs. */
    literal?: Literal;
  }
  | ({
    rule: "holds";
    runs: string;
    paperSettings?: boolean;
    fewerSeedsBecause?: string;
    reducedSettings?: string;
    /** The claim states the opposite of the test: it holds where the test fails. */
    negate?: boolean;
    /** Another setting that differs between the runs compared, said in the verdict. */
    confound?: string;
    literal?: Literal;
  } & RunTest)
  | { rule: "count"; measure: CountMeasure; model?: string; layer?: number; value: number; precision: number }
  | ({ rule: "fact"; negate?: boolean } & Fact)
  | { rule: "setting"; adopted: boolean; how: string }
  | { rule: "not-checkable"; reason: string }
  | { rule: "contradiction"; claims: string[] };

/** One checkable statement of a paper. */
export interface CatalogueClaim {
  /** Unique, prefixed with the paper's id: "000-abs-test-acc". */
  id: string;
  /** Where it stands, as the paper numbers it: "4.2", "Table 1", "Fig. 11". */
  section: string;
  /** The paper's words (at most 200 characters). */
  quote: string;
  kind: ClaimKind;
  /** The value(s) as the paper states them: a number, a range `{min, max}`, a record, or words. */
  stated: unknown;
  /** Unit of `stated`: "fraction", "points", "parameters", "MB", ... ("" when none). */
  unit: string;
  /** How it is checked, or why it cannot be. */
  note: string;
  /** The rule that judges it and what the rule is applied to. */
  check: ClaimCheck;
  /** The notebook that shows its verdict (file name without `.ipynb`). */
  notebook: string;
}

/** A paper's catalogue. */
export interface Catalogue {
  /** The paper's id (`lib/papers/registry.ts`). */
  paper: string;
  /** Which statements were left out as other people's results, and why. */
  excluded: string;
  claims: CatalogueClaim[];
}

/** Every paper's catalogue (its folder's `claims.json`), by paper id. */
export const CATALOGUES: Readonly<Record<string, Catalogue>> = Object.fromEntries(
  PAPER_LIST.map((p) => [p.id, p.claims as Catalogue]),
);
