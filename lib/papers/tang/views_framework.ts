/**
 * One recipe in two frameworks, side by side: our stored runs, built with the paper's framework's
 * defaults, against the runs of PyTorch's twin of the same model (`data/measurements/torch_<name>.json`),
 * seed by seed, with the difference of the means and an exact permutation test. Reads stored runs only:
 * it never trains.
 *
 * @module
 */
import { initBackend } from "../../backend/select.ts";
import { experiment } from "../../training/experiments.ts";
import { loadResult, runKey, type RunResult } from "../../training/store.ts";
import { REPO_ROOT } from "../../training/profile.ts";
import { modelSpec } from "../registry.ts";
import { LEARNED_ABOVE, loadTorchRuns, permutationTest, summarize } from "../../analysis/cross_framework.ts";
import { seedSpreadFigure } from "../../presentation/charts.ts";
import { showFigure, showMarkdown, showTable } from "../../presentation/notebook.ts";

/**
 * Our `paper` runs of an experiment under its paper's framework's defaults, seeds 1..`seeds`, from the
 * committed store (`data/runs/`, whatever the profile: this comparison is at the paper's settings only).
 */
export async function frameworkRuns(name: string, seeds: number): Promise<RunResult[]> {
  const backend = (await initBackend()).name;
  const runs: RunResult[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const config = experiment(name, "paper", { seed });
    const { key } = runKey({ ...config, framework: modelSpec(config.model).framework }, backend);
    const run = await loadResult(key, `${REPO_ROOT}data/runs`, () => {});
    if (run) runs.push(run);
  }
  return runs;
}

const points = (x: number) => Math.round(1e4 * x) / 100;

/**
 * Show our runs of `name` against PyTorch's: a table per framework (runs, at chance, test accuracy of the
 * runs that learned), the test of the difference, and a figure of every seed.
 */
export async function showFrameworkComparison(
  name: string,
  seeds: number,
  figureName: string,
): Promise<void> {
  const torch = await loadTorchRuns(name);
  const ours = await frameworkRuns(name, seeds);
  const samples = {
    "TensorFlow.js (ours)": ours.map((r) => points(r.test.accuracy)),
    [`PyTorch ${torch.torch}`]: torch.runs.map((r) => points(r.test.accuracy)),
  };
  await showTable(
    Object.entries(samples).filter(([, values]) => values.length > 0).map(([framework, values]) => {
      const s = summarize(values);
      return {
        framework,
        runs: s.runs,
        "at chance": s.atChance,
        "mean (%)": s.mean,
        "sd (pts)": s.sd,
        "min (%)": s.min,
        "max (%)": s.max,
      };
    }),
    {
      caption: `${name}, paper's settings, test accuracy of the runs that learned (above ${LEARNED_ABOVE}%)`,
      digits: 2,
    },
  );
  const [a, b] = Object.values(samples).map((v) => v.filter((x) => x >= LEARNED_ABOVE));
  const missing = seeds - ours.length;
  const test = a.length >= 2 && b.length >= 2 ? permutationTest(a, b) : null;
  await showMarkdown(
    (missing > 0
      ? `**${missing} of our ${seeds} runs are not stored yet**; the comparison uses ${ours.length}. `
      : "") +
      (test
        ? `Difference of the means (ours minus PyTorch's): **${test.difference.toFixed(2)} points**; exact ` +
          `permutation test over every relabelling of the ${a.length + b.length} runs: **p = ${
            test.p.toFixed(3)
          }**.`
        : "Too few runs that learned for a test."),
  );
  const rows = Object.entries(samples).flatMap(([group, values]) =>
    values.map((value, i) => ({ group, seed: i + 1, value: value / 100 }))
  );
  await showFigure(
    figureName,
    seedSpreadFigure(
      rows,
      test && test.p >= 0.05
        ? `${name}: no difference detected (p = ${test.p.toFixed(2)})`
        : `${name} in two frameworks${test ? ` (p = ${test.p.toFixed(3)})` : ""}`,
      "test accuracy",
      "paper's settings, one dot per seed; line: mean",
    ),
  );
}
