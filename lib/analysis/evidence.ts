/**
 * The measurements behind claim checks that read stored runs: per-run numbers and yes/no tests (one value
 * per seed); counts and facts that need no training are in `facts.ts`. Each function returns the value and
 * a short text a reader can check it against.
 *
 * @module
 */
import { mean } from "../format.ts";
import { CLASS_NAMES } from "../data/fashion_mnist.ts";
import type { RunResult } from "../training/store.ts";
import type { RunMeasure, RunTest } from "./catalogue.ts";
import { classifyEpochs, diagnoseFit } from "./diagnosis.ts";
import { reportFromConfusion } from "./metrics.ts";
import { UserError } from "../errors.ts";

/** The index of a class name, or a clear error naming the known ones. */
export function classIndex(name: string): number {
  const i = CLASS_NAMES.indexOf(name as typeof CLASS_NAMES[number]);
  if (i < 0) throw new UserError(`unknown class "${name}"; classes are ${CLASS_NAMES.join(", ")}`);
  return i;
}

const points = (x: number) => 100 * x;
const last = (run: RunResult) => run.history.at(-1)!;
const report = (run: RunResult) => reportFromConfusion(run.test.confusion, CLASS_NAMES);

/**
 * One run's value of a measure, in the measure's unit (accuracies and gaps in points). A loss that diverged
 * (stored as null: JSON has no NaN or infinity) comes back as NaN.
 */
export function runMeasure(run: RunResult, measure: RunMeasure, className?: string): number {
  return measureOf(run, measure, className) ?? NaN;
}

function measureOf(run: RunResult, measure: RunMeasure, className?: string): number | null {
  const needClass = () => {
    if (!className) throw new UserError(`measure "${measure}" needs a class`);
    return report(run).classes[classIndex(className)];
  };
  switch (measure) {
    case "test-accuracy":
      return points(run.test.accuracy);
    case "test-error-rate":
      return 100 - points(run.test.accuracy);
    case "train-accuracy":
      return points(last(run).accuracy);
    case "val-accuracy":
      return points(validation(run).valAccuracy);
    case "first-train-accuracy":
      return points(run.history[0].accuracy);
    case "first-val-accuracy":
      return points(validation(run, 0).valAccuracy);
    case "train-val-gap":
      return points(last(run).accuracy - validation(run).valAccuracy);
    case "train-test-gap":
      return points(last(run).accuracy - run.test.accuracy);
    case "test-loss":
      return run.test.loss;
    case "train-loss":
      return last(run).loss;
    case "epoch-seconds":
      return run.timing.meanEpochSeconds;
    case "train-seconds":
      return run.timing.trainSeconds;
    case "val-loss":
      return validation(run).valLoss;
    case "macro-f1":
      return report(run).macro.f1;
    case "macro-precision":
      return report(run).macro.precision;
    case "macro-recall":
      return report(run).macro.recall;
    case "class-f1":
      return needClass().f1;
    case "class-precision":
      return needClass().precision;
    case "class-recall":
      return needClass().recall;
  }
}

function validation(run: RunResult, epochIndex?: number): { valLoss: number | null; valAccuracy: number } {
  const { valLoss, valAccuracy } = epochIndex === undefined ? last(run) : run.history[epochIndex];
  if (valAccuracy === null) {
    throw new UserError(`run ${run.key} has no validation set; pick a measure on the test set`);
  }
  return { valLoss, valAccuracy };
}

/** Test errors from classes `from` predicted as classes `to` (confusion[true][predicted]). */
function errorsBetween(run: RunResult, from: string[], to: string[]): number {
  let n = 0;
  for (const f of from) {
    for (const t of to) if (f !== t) n += run.test.confusion[classIndex(f)][classIndex(t)];
  }
  return n;
}

/** The wrong labels `name` is most often predicted as, most frequent first. */
function confusionsOf(run: RunResult, name: string): string[] {
  const i = classIndex(name);
  return run.test.confusion[i]
    .map((count, j) => ({ count, j }))
    .filter(({ j }) => j !== i)
    .sort((a, b) => b.count - a.count || a.j - b.j)
    .map(({ j }) => CLASS_NAMES[j]);
}

function curve(run: RunResult, name: "train" | "val" | "train-loss" | "val-loss"): number[] {
  return run.history.map((h) => {
    const v = { train: h.accuracy, val: h.valAccuracy, "train-loss": h.loss, "val-loss": h.valLoss }[name];
    if (v === null) throw new UserError(`run ${run.key} has no validation curve`);
    return name.endsWith("loss") ? v : points(v);
  });
}

/** The mean absolute epoch-to-epoch change of a curve over the epochs from `from` (1-based) on. */
function meanChange(values: number[], from: number): number {
  const changes = values.slice(from - 1).slice(1).map((v, i) => Math.abs(v - values[from - 1 + i]));
  if (changes.length === 0) {
    throw new UserError(`a curve of ${values.length} epochs has no changes from epoch ${from}`);
  }
  return mean(changes);
}

const fmt = (x: number, digits = 1) => x.toFixed(digits);
const SCORE_MEASURES: readonly RunMeasure[] = [
  "macro-f1",
  "macro-precision",
  "macro-recall",
  "class-f1",
  "class-precision",
  "class-recall",
  "test-loss",
  "val-loss",
  "train-loss",
];
/** A measured value as text: points to 2 decimals, scores and losses to 3. */
const measureText = (measure: RunMeasure, x: number) => fmt(x, SCORE_MEASURES.includes(measure) ? 3 : 2);
const f1s = (run: RunResult) => report(run).classes.map((c) => c.f1);

/** Measures read from the training history's last epoch: a comparison reads them over a window instead. */
export const HISTORY_MEASURES: readonly RunMeasure[] = [
  "train-accuracy",
  "val-accuracy",
  "train-loss",
  "val-loss",
  "train-val-gap",
];

/** The epochs a claim about the end of training is judged over: the last tenth, at least one. */
export function endWindow(epochs: number): number {
  return Math.max(1, Math.round(epochs / 10));
}

/**
 * A run's value of a measure at the end of training, for comparisons: a measure of the last epoch is
 * averaged over the last {@link endWindow} epochs (one epoch's dip does not decide); others as
 * {@link runMeasure}. Not finite when any epoch in the window is not.
 */
export function settledMeasure(run: RunResult, measure: RunMeasure): number {
  if (!HISTORY_MEASURES.includes(measure)) return runMeasure(run, measure);
  const w = endWindow(run.history.length);
  const values = run.history.slice(-w).map((_, i) => {
    const cut = { ...run, history: run.history.slice(0, run.history.length - w + i + 1) };
    return runMeasure(cut, measure);
  });
  return mean(values);
}

/** Whether a statement holds in one run, what was seen and, for a comparison, by how much it leads. */
export interface TestResult {
  holds: boolean;
  seen: string;
  /** For a comparison: the claim's side's lead (positive: holds; NaN: its own run diverged). */
  lead?: number;
  /** Runs left out of the field (diverged), by experiment name. */
  leftOut?: string[];
}

/** Whether a statement holds in one run, and what was seen. `other(name)` is the same seed's run of `name`. */
export function runTest(
  run: RunResult,
  test: RunTest,
  other: (name: string) => RunResult,
): TestResult {
  switch (test.test) {
    case "confuses": {
      const top = confusionsOf(run, test.class).slice(0, test.top ?? 1);
      return { holds: top.some((c) => test.with.includes(c)), seen: top.join("/") };
    }
    case "no-errors-between": {
      const n = errorsBetween(run, test.from, test.to);
      return { holds: n <= (test.max ?? 0), seen: `${n}` };
    }
    case "errors-within": {
      const errors = run.test.count - run.test.confusion.reduce((s, row, i) => s + row[i], 0);
      const share = errorsBetween(run, test.classes, test.classes) / errors;
      return { holds: share >= test.share, seen: `${fmt(points(share), 0)}%` };
    }
    case "largest-confusion-pair": {
      const m = run.test.confusion;
      let best = [0, 1];
      for (let a = 0; a < 10; a++) {
        for (let b = a + 1; b < 10; b++) {
          if (m[a][b] + m[b][a] > m[best[0]][best[1]] + m[best[1]][best[0]]) best = [a, b];
        }
      }
      const names = best.map((i) => CLASS_NAMES[i] as string);
      const holds = test.classes.every((c) => names.includes(c));
      return { holds, seen: `${names.join("<->")} (${m[best[0]][best[1]] + m[best[1]][best[0]]})` };
    }
    case "lowest-f1": {
      const scores = f1s(run);
      const lowest = CLASS_NAMES[scores.indexOf(Math.min(...scores))];
      return { holds: lowest === test.class, seen: lowest };
    }
    case "highest-f1": {
      const ranked = f1s(run).map((f1, i) => ({ f1, name: CLASS_NAMES[i] })).sort((a, b) => b.f1 - a.f1);
      const top: string[] = ranked.slice(0, test.classes.length).map((r) => r.name);
      return { holds: test.classes.every((c) => top.includes(c)), seen: top.join("/") };
    }
    case "f1-at-least":
    case "f1-at-most": {
      const scores = test.classes.map((c) => f1s(run)[classIndex(c)]);
      const holds = test.test === "f1-at-least"
        ? scores.every((s) => s >= test.min)
        : scores.every((s) => s <= test.max);
      return { holds, seen: scores.map((s) => fmt(s, 2)).join("/") };
    }
    case "val-loss-min-between": {
      const losses = curve(run, "val-loss");
      const best = losses.indexOf(Math.min(...losses)) + 1;
      const rises = losses.at(-1)! > losses[best - 1];
      return { holds: best >= test.from && best <= test.to && rises, seen: `min at epoch ${best}` };
    }
    case "fit": {
      const verdict = diagnoseFit(run.history).verdict;
      return { holds: verdict === test.fit, seen: verdict };
    }
    case "paper-fit": {
      const last = classifyEpochs(run.history).at(-1)!;
      const seen = `${last.state} (gap ${fmt(points(last.gap))} pts, val/train loss ${fmt(last.lossRatio)}x)`;
      return { holds: last.state === test.fit, seen };
    }
    case "gap-at-most-until": {
      const gaps = run.history.slice(0, test.epoch).map((h) => points(h.accuracy - (h.valAccuracy ?? NaN)));
      const worst = Math.max(...gaps);
      return { holds: worst <= test.max, seen: `max ${fmt(worst)} pts` };
    }
    case "plateau-by": {
      const values = curve(run, test.curve);
      if (values.length < test.epoch) return { holds: false, seen: `the run has ${values.length} epochs` };
      const short = Math.max(...values) - values[test.epoch - 1];
      return { holds: short <= test.within, seen: `${fmt(short)} pts below best` };
    }
    case "rises-until": {
      const values = curve(run, test.curve).slice(0, test.epoch);
      if (test.within === undefined) {
        const falls = values.findIndex((v, i) => i > 0 && v <= values[i - 1]);
        return { holds: falls < 0, seen: falls < 0 ? "rises" : `falls at epoch ${falls + 1}` };
      }
      const drops = values.map((v, i) => Math.max(...values.slice(0, i + 1)) - v);
      const worst = drops.indexOf(Math.max(...drops));
      return {
        holds: drops[worst] <= test.within,
        seen: drops[worst] === 0
          ? "never falls"
          : `falls ${fmt(drops[worst])} pts below its best so far (epoch ${worst + 1})`,
      };
    }
    case "mostly-by": {
      const values = curve(run, test.curve);
      if (values.length < test.epoch) return { holds: false, seen: `the run has ${values.length} epochs` };
      const share = (values[test.epoch - 1] - values[0]) / (values.at(-1)! - values[0]);
      return { holds: share >= test.share, seen: `${fmt(points(share), 0)}% by epoch ${test.epoch}` };
    }
    case "compare": {
      const a = settledMeasure(run, test.measure), b = settledMeasure(other(test.other), test.measure);
      const seen = `${measureText(test.measure, a)} vs ${measureText(test.measure, b)}`;
      if (test.relation === "≈") return { holds: Math.abs(a - b) <= test.within!, seen };
      const lead = test.relation === ">" ? a - b : b - a;
      // A diverged rival (not finite) trails; a diverged claimant fails (NaN lead).
      const safeLead = Number.isFinite(a) ? (Number.isFinite(b) ? lead : Infinity) : NaN;
      return { holds: safeLead > 0, seen, lead: safeLead };
    }
    case "above-throughout": {
      const ours = curve(run, test.curve), theirs = curve(other(test.other), test.curve);
      const from = test.from ?? 1, to = Math.min(ours.length, theirs.length);
      if (to < from) return { holds: false, seen: `the runs have ${to} epochs, none from epoch ${from}` };
      const below = [];
      for (let e = from; e <= to; e++) if (!(ours[e - 1] > theirs[e - 1])) below.push(e);
      if (below.length === 0) {
        const lead = Math.min(...ours.slice(from - 1, to).map((v, i) => v - theirs[from - 1 + i]));
        return { holds: true, seen: `above at every epoch ${from}-${to}`, lead };
      }
      const e = below[0];
      return {
        lead: Math.min(...ours.slice(from - 1, to).map((v, i) => v - theirs[from - 1 + i])),
        holds: false,
        seen: `not above at ${below.length} of ${to - from + 1} epochs (first: epoch ${e}, ` +
          `${fmt(ours[e - 1], 2)} vs ${fmt(theirs[e - 1], 2)}%)`,
      };
    }
    case "steadier": {
      const epochs = Math.min(run.history.length, other(test.other).history.length);
      if (epochs <= test.from) {
        return { holds: false, seen: `the runs have ${epochs} epochs, no changes from epoch ${test.from}` };
      }
      const ours = meanChange(curve(run, test.curve), test.from);
      const theirs = meanChange(curve(other(test.other), test.curve), test.from);
      return {
        holds: ours < theirs,
        seen: `${fmt(ours, 2)} vs ${fmt(theirs, 2)} pts per epoch from epoch ${test.from}`,
        lead: theirs - ours,
      };
    }
    case "extreme": {
      const own = settledMeasure(run, test.measure);
      const field = test.among.map((name) => ({ name, value: settledMeasure(other(name), test.measure) }));
      // Diverged rivals are left out of the field (and said); a diverged claimant cannot be the extreme.
      const rivals = field.filter((f) => Number.isFinite(f.value)).map((f) => f.value);
      const best = rivals.length === 0
        ? NaN
        : test.which === "max"
        ? Math.max(...rivals)
        : Math.min(...rivals);
      const lead = !Number.isFinite(own)
        ? NaN
        : rivals.length === 0
        ? Infinity
        : test.which === "max"
        ? own - best
        : best - own;
      return {
        holds: lead > 0,
        seen: [own, ...field.map((f) => f.value)].map((v) => measureText(test.measure, v)).join(" vs "),
        lead,
        leftOut: field.filter((f) => !Number.isFinite(f.value)).map((f) => f.name),
      };
    }
    case "same-predictions": {
      const same = run.test.predicted === other(test.other).test.predicted;
      return { holds: same, seen: same ? "identical" : "different" };
    }
  }
}
