/**
 * An ablation, one call: several recipes that differ from a baseline by one change each, over the same
 * seeds. Each change's effect is read against the baseline run of the same seed (paired differences), so
 * that the seed-to-seed spread of the baseline itself does not hide or fake an effect; and the mean
 * validation curves show how fast each recipe gets there.
 *
 * @module
 */
import { mean } from "../../format.ts";
import * as Plot from "@observablehq/plot";
import type { RunResult } from "../../training/store.ts";
import { UserError } from "../../errors.ts";
import { figure, plotSvg } from "../../presentation/plots.ts";
import { plural, showFigure, showMarkdown, showTable } from "../../presentation/notebook.ts";

/** One recipe of an ablation, against the baseline of the same seeds (accuracies in percent). */
export interface AblationRow {
  recipe: string;
  seeds: number;
  /** Mean test accuracy, and its range over seeds. */
  test: number;
  testMin: number;
  testMax: number;
  /** Test accuracy minus the same seed's baseline: mean, range, and in how many seeds it is positive. */
  gain: number;
  gainMin: number;
  gainMax: number;
  better: number;
  /** Mean training accuracy after the first epoch (how fast the recipe learns, on its own batches). */
  firstTraining: number | null;
  /** Mean validation accuracy after the first epoch (how fast the recipe converges, in inference mode). */
  firstValidation: number | null;
  /** Mean training minus validation accuracy at the last epoch. */
  gap: number | null;
}

const points = (x: number) => 100 * x;

/**
 * The rows of an ablation: each recipe's test accuracy and its paired gain over `baseline` (a key of
 * `groups`), seed by seed. Seeds missing from either side are left out of the pairs.
 */
export function ablationRows(groups: Record<string, RunResult[]>, baseline: string): AblationRow[] {
  const base = groups[baseline];
  if (!base?.length) throw new UserError(`ablation: no runs for the baseline "${baseline}"`);
  const baseBySeed = new Map(base.map((r) => [r.config.seed, r]));
  return Object.entries(groups).map(([recipe, runs]) => {
    const tests = runs.map((r) => points(r.test.accuracy));
    const gains = runs.filter((r) => baseBySeed.has(r.config.seed))
      .map((r) => points(r.test.accuracy - baseBySeed.get(r.config.seed)!.test.accuracy));
    const first = runs.map((r) => r.history[0]?.valAccuracy).filter((v): v is number => v != null);
    const firstTrain = runs.map((r) => r.history[0]?.accuracy).filter((v): v is number => v != null);
    const gaps = runs.map((r) => r.history.at(-1)!).filter((h) => h.valAccuracy !== null)
      .map((h) => points(h.accuracy - h.valAccuracy!));
    return {
      recipe,
      seeds: runs.length,
      test: mean(tests),
      testMin: Math.min(...tests),
      testMax: Math.max(...tests),
      gain: gains.length ? mean(gains) : NaN,
      gainMin: Math.min(...gains),
      gainMax: Math.max(...gains),
      better: gains.filter((g) => g > 0).length,
      firstTraining: firstTrain.length ? points(mean(firstTrain)) : null,
      firstValidation: first.length ? points(mean(first)) : null,
      gap: gaps.length ? mean(gaps) : null,
    };
  });
}

/** The change that buys the most accuracy (largest mean paired gain), in words. */
export function ablationHeadline(rows: AblationRow[], baseline: string): string {
  const changes = rows.filter((r) => r.recipe !== baseline && Number.isFinite(r.gain));
  if (!changes.length) return `${baseline} only`;
  const best = changes.reduce((a, b) => (b.gain > a.gain ? b : a));
  const seeds = `(better in ${best.better} of ${best.seeds} seeds)`;
  if (best.gain <= 0) {
    return `No change beats ${baseline} on average; the closest is ${best.recipe}: ` +
      `${best.gain.toFixed(2)} points ${seeds}`;
  }
  return `${best.recipe} gains most over ${baseline}: +${best.gain.toFixed(2)} points ${seeds}`;
}

/**
 * Test accuracy per seed (dots) and its mean (tick) per recipe, left; mean validation accuracy per epoch
 * per recipe, right.
 */
export function ablationFigure(
  groups: Record<string, RunResult[]>,
  title: string,
  subtitle?: string,
): string {
  const recipes = Object.keys(groups);
  const colors = ["#4e79a7", "#f28e2c", "#59a14f", "#e15759", "#b07aa1", "#9c755f"];
  const dots = recipes.flatMap((recipe) =>
    groups[recipe].map((r) => ({ recipe, seed: r.config.seed, value: points(r.test.accuracy) }))
  );
  const means = recipes.map((recipe) => ({
    recipe,
    value: mean(groups[recipe].map((r) => points(r.test.accuracy))),
  }));
  const accuracy = plotSvg({
    width: Math.max(360, 90 * recipes.length),
    height: 320,
    marginLeft: 50,
    marginBottom: 70,
    x: { domain: recipes, label: null, tickRotate: -20 },
    y: { label: "test accuracy (%)", grid: true, nice: true },
    color: { domain: recipes, range: colors },
    marks: [
      Plot.tickY(means, { x: "recipe", y: "value", stroke: "#333", strokeWidth: 2 }),
      Plot.dot(dots, { x: "recipe", y: "value", fill: "recipe", r: 4, fillOpacity: 0.8 }),
    ],
  });
  const curves = recipes.flatMap((recipe) => {
    const epochs = Math.min(...groups[recipe].map((r) => r.history.length));
    return Array.from({ length: epochs }, (_, i) => {
      const values = groups[recipe].map((r) => r.history[i].valAccuracy).filter((v): v is number =>
        v != null
      );
      return values.length ? { recipe, epoch: i + 1, value: points(mean(values)) } : null;
    }).filter((p) => p !== null);
  });
  const validation = plotSvg({
    width: 400,
    height: 320,
    marginLeft: 50,
    marginBottom: 40,
    x: { label: "epoch", tickFormat: "d" },
    y: { label: "validation accuracy (%), mean over seeds", grid: true, nice: true },
    color: { domain: recipes, range: colors },
    marks: [
      Plot.line(curves, { x: "epoch", y: "value", z: "recipe", stroke: "recipe", strokeWidth: 1.5 }),
      Plot.dot(curves, { x: "epoch", y: "value", fill: "recipe", r: 2 }),
    ],
  });
  return figure([accuracy, validation], {
    title,
    subtitle,
    legend: { labels: recipes, colors: colors.slice(0, recipes.length) },
  });
}

/**
 * An ablation in a notebook: a table of each recipe's test accuracy and its gain over the baseline of the
 * same seed, a one-line finding, and {@link ablationFigure}.
 *
 * @example
 * ```ts
 * await showAblation("07_ablation", { baseline: base, "+ augmentation": aug }, "baseline");
 * ```
 */
export async function showAblation(
  name: string,
  groups: Record<string, RunResult[]>,
  baseline: string,
): Promise<void> {
  const rows = ablationRows(groups, baseline);
  const range = (lo: number, hi: number) => `${lo.toFixed(2)} to ${hi.toFixed(2)}`;
  await showTable(
    rows.map((r) => ({
      recipe: r.recipe,
      "test accuracy (%)": r.test.toFixed(2),
      "range (%)": range(r.testMin, r.testMax),
      "gain over baseline (pts)": r.recipe === baseline ? "—" : r.gain.toFixed(2),
      "gain range (pts)": r.recipe === baseline ? "—" : range(r.gainMin, r.gainMax),
      "seeds better": r.recipe === baseline ? "—" : `${r.better} of ${r.seeds}`,
      "training after epoch 1 (%)": r.firstTraining?.toFixed(2) ?? "—",
      "validation after epoch 1 (%)": r.firstValidation?.toFixed(2) ?? "—",
      "train - val gap, last epoch (pts)": r.gap?.toFixed(2) ?? "—",
    })),
    {
      caption: `${plural(rows[0].seeds, "seed")} per recipe; gains are paired: each run against the ` +
        `${baseline} run of the same seed`,
    },
  );
  await showMarkdown(`**${ablationHeadline(rows, baseline)}.**`);
  const { profile, epochs, trainLimit } = groups[baseline][0].config;
  const images = trainLimit ? `${trainLimit.toLocaleString("en-US")} training images, ` : "";
  await showFigure(
    name,
    ablationFigure(
      groups,
      ablationHeadline(rows, baseline),
      `dots: seeds; tick: mean. Profile ${profile}, ${images}${plural(epochs, "epoch")} for the ${baseline}`,
    ),
  );
}

/**
 * One ablation at several budgets (named by the caller), side by side, a row per change: its mean paired
 * gain over `baseline` at each budget with the range over seeds, and in how many seeds it wins.
 */
export function budgetRows(
  budgets: Record<string, Record<string, RunResult[]>>,
  baseline: string,
): Record<string, string>[] {
  const columns = Object.entries(budgets).map(([budget, groups]) => ({
    budget,
    rows: new Map(ablationRows(groups, baseline).map((r) => [r.recipe, r])),
  }));
  const changes = [...new Set(Object.values(budgets).flatMap(Object.keys))].filter((r) => r !== baseline);
  return changes.map((change) => {
    const row: Record<string, string> = { change };
    for (const { budget, rows } of columns) {
      const r = rows.get(change);
      const ok = r && Number.isFinite(r.gain);
      row[`gain (pts), ${budget}`] = ok
        ? `${r.gain.toFixed(2)} (${r.gainMin.toFixed(2)} to ${r.gainMax.toFixed(2)})`
        : "—";
      row[`seeds better, ${budget}`] = ok ? `${r.better} of ${r.seeds}` : "—";
    }
    return row;
  });
}

/**
 * {@link budgetRows} as a table: whether an ablation's verdicts hold when the budget changes.
 *
 * @example
 * ```ts
 * await showBudgets({ "12,000 images, 10 epochs": quarter, "48,000 images, 20 epochs": full }, "baseline");
 * ```
 */
export async function showBudgets(
  budgets: Record<string, Record<string, RunResult[]>>,
  baseline: string,
): Promise<void> {
  await showTable(budgetRows(budgets, baseline), {
    caption: `paired gains in test accuracy over the ${baseline}: mean (range over seeds), each run ` +
      `against the ${baseline} run of the same seed`,
  });
}
