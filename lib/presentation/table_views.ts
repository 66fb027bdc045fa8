/**
 * A paper's one-run results table beside our runs of every row over several seeds: the paper's numbers
 * (from the claims catalogue), our mean and range, how many runs learned at all, and times as ratios to
 * the table's first row (a GPU's seconds and a CPU's are not comparable; their ratios are).
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import type { RunResult } from "../training/store.ts";
import { UserError } from "../errors.ts";
import { learned, LEARNED_ABOVE, summarize } from "../analysis/diagnosis.ts";
import { type PaperRow, paperTable } from "../analysis/paper_tables.ts";
import { runMeasure } from "../analysis/evidence.ts";
import type { RunMeasure } from "../analysis/catalogue.ts";
import { figure, plotSvg } from "./plots.ts";
import { plural, showFigure, showTable } from "./notebook.ts";
import type { RecipeTimes } from "../training/timing.ts";
import { runSeconds } from "./time_views.ts";

const COLUMNS: [RunMeasure, string][] = [
  ["train-loss", "training loss"],
  ["train-accuracy", "training acc. (%)"],
  ["test-loss", "testing loss"],
  ["test-accuracy", "testing acc. (%)"],
];
const LOSSES: RunMeasure[] = ["train-loss", "test-loss"];

const number = (measure: RunMeasure, x: number) => x.toFixed(LOSSES.includes(measure) ? 3 : 2);

function spread(measure: RunMeasure, runs: RunResult[]): string {
  if (runs.length === 0) return "—";
  const s = summarize(runs.map((r) => runMeasure(r, measure)));
  return runs.length === 1
    ? number(measure, s.mean)
    : `${number(measure, s.mean)} (${number(measure, s.min)}-${number(measure, s.max)})`;
}

const trainSeconds = (runs: RunResult[]) => summarize(runs.map((r) => r.timing.trainSeconds)).mean;

/** The rows of a comparison table: the paper's line, then ours over all runs (and over learned ones). */
function tableRows(rows: PaperRow[], runs: RunResult[][], times?: RecipeTimes): Record<string, string>[] {
  const columns = COLUMNS; // all four, even where the paper states fewer (Table II): both readings show
  const ourTime = (i: number) => times ? runSeconds(times, rows[i].experiment) : trainSeconds(runs[i]);
  const base = { paper: rows[0].seconds, ours: ourTime(0) };
  return rows.flatMap((row, i) => {
    const ok = runs[i].filter(learned);
    const ours = (label: string, set: RunResult[]) => ({
      setting: row.label,
      source: label,
      ...Object.fromEntries(columns.map(([m, name]) => [name, spread(m, set)])),
      "time (s)": `${trainSeconds(runs[i]).toFixed(0)} (CPU)`,
      "time ratio": (ourTime(i) / base.ours).toFixed(2),
    });
    const paper = {
      setting: row.label,
      source: "paper (1 run)",
      ...Object.fromEntries(columns.map(([m, name]) => [
        name,
        row.stated[m] === undefined ? "—" : number(m, row.stated[m]!),
      ])),
      "time (s)": row.seconds === null ? "—" : `${row.seconds} (T4)`,
      "time ratio": row.seconds === null || base.paper === null ? "—" : (row.seconds / base.paper).toFixed(2),
    };
    const all = ours(`ours, ${ok.length} of ${plural(runs[i].length, "run")} learned`, runs[i]);
    return ok.length === runs[i].length || ok.length === 0
      ? [paper, all]
      : [paper, all, ours(`ours, the ${ok.length} that learned`, ok)];
  });
}

/** Test accuracy per seed for every row, with the paper's value beside it. */
function settingsFigure(rows: PaperRow[], runs: RunResult[][], title: string, subtitle: string): string {
  const dots = rows.flatMap((row, i) =>
    runs[i].map((r) => ({ setting: row.label, accuracy: r.test.accuracy * 100, seed: r.config.seed }))
  );
  const stated = rows.filter((r) => r.stated["test-accuracy"] !== undefined || r.stated["train-accuracy"])
    .map((r) => ({ setting: r.label, accuracy: r.stated["test-accuracy"] ?? r.stated["train-accuracy"]! }));
  const chart = plotSvg({
    width: Math.max(360, 150 * rows.length),
    height: 300,
    marginLeft: 50,
    x: { domain: rows.map((r) => r.label), label: null, padding: 0.4 },
    y: { label: "test accuracy (%)", grid: true },
    marks: [
      Plot.ruleY([100 * LEARNED_ABOVE], { stroke: "#bbb", strokeDasharray: "4,3" }),
      Plot.dot(dots, { x: "setting", y: "accuracy", fill: "#4e79a7", r: 4, dx: -6 }),
      Plot.dot(stated, { x: "setting", y: "accuracy", symbol: "diamond", fill: "#9c755f", r: 6, dx: 8 }),
    ],
  });
  return figure(chart, {
    title,
    subtitle,
    legend: { labels: ["ours, one dot per seed", "paper (one run)"], colors: ["#4e79a7", "#9c755f"] },
  });
}

/**
 * Table `section` of `paper` beside our runs of each row (`runs`: by experiment name, e.g. from
 * `runEach(tableExperiments(paper, section), seeds)`): a table and a figure of test accuracy per seed. A run
 * "learned" when its test accuracy is above {@link LEARNED_ABOVE} (chance is 10%).
 */
export async function showPaperTable(
  name: string,
  paper: string,
  section: string,
  runsOf: Record<string, RunResult[]>,
  options: { times?: RecipeTimes } = {},
): Promise<void> {
  const rows = paperTable(paper, section);
  const missing = rows.filter((row) => !runsOf[row.experiment]?.length).map((row) => row.experiment);
  if (missing.length) {
    throw new UserError(
      `no runs of ${missing.join(", ")} for ${section}. Fix: pass runEach(tableExperiments("${paper}", ` +
        `"${section}"), seeds)`,
    );
  }
  const runs = rows.map((row) => runsOf[row.experiment]);
  const profile = `profile ${runs[0][0].config.profile}`;
  await showTable(tableRows(rows, runs, options.times), {
    caption: `${section}: the paper's single run beside ours (mean and range over seeds); ${profile}; ` +
      `time: our runs' mean seconds; time ratio: each row's time over the first row's` +
      (options.times ? " (ours from idle timings of the recipes)" : ""),
  });
  const failed = runs.map((r, i) => [rows[i].label, r.length - r.filter(learned).length] as const)
    .filter(([, n]) => n > 0).map(([label, n]) => `${label}: ${n} failed`);
  const title = `${section}: test accuracy per seed` + (failed.length ? ` (${failed.join("; ")})` : "");
  await showFigure(
    name,
    settingsFigure(
      rows,
      runs,
      title,
      `dashed: ${100 * LEARNED_ABOVE}%, below which a run has not learned; ${profile}`,
    ),
  );
}
