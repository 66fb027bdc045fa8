/**
 * Tang et al.'s own views: the idle training time of each table's recipes.
 *
 * @module
 */
import { runSeconds } from "../../presentation/time_views.ts";
import type { Measurement } from "../../analysis/measurements.ts";
import * as Plot from "@observablehq/plot";
import { type RecipeTimes } from "../../training/timing.ts";
import { paperTable } from "../../analysis/paper_tables.ts";
import { summarize } from "../../analysis/diagnosis.ts";
import { figure, plotSvg } from "../../presentation/plots.ts";
import { plural, showFigure, showTable } from "../../presentation/notebook.ts";

/**
 * The idle timings of every experiment of the paper's tables `sections` (from `measureRecipeTimes`), per
 * table: the paper's GPU seconds and ours, each as a ratio to the table's first row, with a figure (`name`)
 * of our ratios against the paper's. Returns the timings, for `showPaperTable`.
 */
export async function showRecipeTimes(
  name: string,
  measured: Measurement<RecipeTimes>,
  paper: string,
  sections: string[],
): Promise<RecipeTimes> {
  const tables = sections.map((section) => ({ section, rows: paperTable(paper, section) }));
  const { value: times, machine, measuredOn } = measured;
  const rows = tables.flatMap(({ section, rows }) =>
    rows.map((row) => {
      const ours = runSeconds(times, row.experiment), epochs = times.epochSeconds[row.experiment];
      const paperRatio = row.seconds !== null && rows[0].seconds !== null
        ? row.seconds / rows[0].seconds
        : null;
      return {
        table: section,
        setting: row.label,
        "paper: T4 s": row.seconds,
        "paper: ratio": paperRatio,
        "ours: s per epoch": `${summarize(epochs).mean.toFixed(1)} (${Math.min(...epochs).toFixed(1)}-${
          Math.max(...epochs).toFixed(1)
        })`,
        "ours: s per run": ours,
        "ours: ratio": ours / runSeconds(times, rows[0].experiment),
      };
    })
  );
  await showTable(rows, {
    digits: 2,
    caption: `Training time per table, each row over the table's first row. Ours: one epoch on ` +
      `${times.images.toLocaleString("en-US")} images timed ${
        plural(times.rounds, "time")
      } per recipe on an ` +
      `idle machine (${machine}, ${measuredOn}), scaled to the full epoch and the recipe's epochs`,
  });
  const compared = rows.filter((r) =>
    r["paper: ratio"] !== null && r.setting !== rows.find((f) => f.table === r.table)!.setting
  ).map((r) => ({
    row: `${r.table}: ${r.setting}`,
    paper: r["paper: ratio"]!,
    ours: r["ours: ratio"],
  }));
  const ends = compared.flatMap((d) => [d.paper, d.ours]);
  const chart = plotSvg({
    width: 620,
    height: 40 + 26 * compared.length,
    marginLeft: 170,
    x: {
      type: "log",
      domain: [Math.min(0.2, ...ends), Math.max(5, ...ends) * 1.2],
      label: "time over the table's first row",
      tickFormat: "~g", // plain numbers (0.2, not d3's SI "200m")
      grid: true,
    },
    y: { domain: compared.map((d) => d.row), label: null },
    marks: [
      Plot.ruleX([1], { stroke: "#999" }),
      Plot.link(compared, { x1: "paper", x2: "ours", y1: "row", y2: "row", stroke: "#ccc", strokeWidth: 3 }),
      Plot.dot(compared, { x: "paper", y: "row", symbol: "diamond", fill: "#9c755f", r: 6 }),
      Plot.dot(compared, { x: "ours", y: "row", fill: "#4e79a7", r: 5 }),
    ],
  });
  await showFigure(
    name,
    figure(chart, {
      title: "Time ratios: the paper's GPU against our CPU",
      subtitle: "each row's time over its table's first row; where the two dots meet, the ratios agree",
      legend: { labels: ["paper (T4, one run)", "ours (CPU, idle timings)"], colors: ["#9c755f", "#4e79a7"] },
    }),
  );
  return times;
}
