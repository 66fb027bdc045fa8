/**
 * Figures of the exploratory data analysis (Sivakumar et al., section II, Figs. 1-4): class balance,
 * sample images, pixel histogram, class means, PCA explained variance and 2-D projection.
 *
 * @module
 */
import { percent } from "../format.ts";
import * as Plot from "@observablehq/plot";
import { CLASS_NAMES, PIXELS, type Subset } from "../data/fashion_mnist.ts";
import { classCounts, permutation } from "../data/splits.ts";
import { CLASS_COLORS, figure, type GridImage, imageGrid, pieChart, plotSvg } from "./plots.ts";
import { componentsFor, type PcaFit } from "../analysis/pca.ts";
import { classBalance } from "../analysis/eda.ts";

/** Fig. 1: a grouped bar chart of images per class in each subset, beside a pie of the first. */
export function classBalanceFigure(subsets: Record<string, Subset>): string {
  const names = Object.keys(subsets);
  const rows = classBalance(subsets).flatMap((r) =>
    names.map((set) => ({ class: r.class as string, set, count: r[set] as number }))
  );
  const grouped = plotSvg({
    width: 560,
    height: 380,
    marginBottom: 70,
    marginLeft: 55,
    fx: { domain: CLASS_NAMES, label: null, tickRotate: -35, axis: "bottom", padding: 0.1 },
    x: { domain: names, axis: null, paddingInner: 0.05 },
    y: { grid: true, label: "images" },
    color: { domain: names, range: ["#4e79a7", "#f28e2c", "#59a14f"] },
    marks: [Plot.barY(rows, { fx: "class", x: "set", y: "count", fill: "set" }), Plot.ruleY([0])],
  });
  const perSet = names.map((n) => classCounts(subsets[n].labels.subarray(0, subsets[n].count)));
  const balanced = perSet.every((c) => c.every((v) => v === c[0]));
  const pie = pieChart(perSet[0], CLASS_NAMES, CLASS_COLORS, 120);
  return figure([grouped, pie], {
    title: balanced
      ? `Perfectly balanced: every class has ` +
        names.map((n, i) => `${perSet[i][0].toLocaleString("en-US")} ${n}`).join(" and ") + " images"
      : `Class counts in ${names[0]} range from ${Math.min(...perSet[0])} to ${Math.max(...perSet[0])}`,
    subtitle: `Images per class in ${names.join(" and ")} (bars); share of each class in ${names[0]} (pie)`,
    legend: { labels: names, colors: ["#4e79a7", "#f28e2c", "#59a14f"] },
  });
}

/** Fig. 2: `perClass` seeded random images of each class in a labelled grid (one column per class). */
export function sampleGridFigure(subset: Subset, perClass = 5, seed = 2): string {
  const order = permutation(subset.count, seed);
  const chosen: GridImage[] = [];
  const taken = new Array(CLASS_NAMES.length).fill(0);
  for (const i of order) {
    const label = subset.labels[i];
    if (taken[label] >= perClass) continue;
    chosen.push({
      pixels: subset.images.subarray(i * PIXELS, (i + 1) * PIXELS),
      column: CLASS_NAMES[label],
      row: `#${++taken[label]}`,
    });
    if (chosen.length === perClass * CLASS_NAMES.length) break;
  }
  chosen.sort((a, b) => CLASS_NAMES.indexOf(a.column as never) - CLASS_NAMES.indexOf(b.column as never));
  return figure(imageGrid(chosen, { cell: 56 }), {
    title: "Ten classes of 28x28 greyscale product photos",
    subtitle: `${perClass} random training images per class (seed ${seed}), drawn dark on white`,
  });
}

/** The pixel-intensity histogram on a log scale, with the share of pure-black background. */
export function pixelHistogramFigure(counts: number[], setName: string): string {
  const total = counts.reduce((a, b) => a + b, 0);
  const zeroShare = counts[0] / total;
  const floor = 10 ** Math.floor(Math.log10(Math.max(1, Math.min(...counts.filter((c) => c > 0)))));
  const data = counts.map((count, value) => ({ value, count: Math.max(count, floor) }));
  let mode = 32; // the commonest mid-tone, past the faint halo (1-31) around every object
  for (let v = 32; v < 255; v++) if (counts[v] > counts[mode]) mode = v;
  const chart = plotSvg({
    width: 720,
    height: 320,
    marginLeft: 60,
    x: { label: "pixel intensity (0 = background, 255 = full ink)", domain: [0, 256] },
    y: { type: "log", label: "pixels", grid: true, domain: [floor, Math.max(...counts) * 1.3] },
    marks: [
      Plot.rectY(data, { x1: "value", x2: (d) => d.value + 1, y1: floor, y2: "count", fill: "#4e79a7" }),
    ],
  });
  return figure(chart, {
    title: `${percent(zeroShare)} of all pixels are pure background (0)`,
    subtitle:
      `All ${total.toLocaleString("en-US")} pixels of the ${setName} images (log scale): a faint edge ` +
      `halo just above 0, mid-tones peaking at ${mode}, a spike at 255`,
  });
}

/** The mean image of each class in one row. */
export function classMeansFigure(means: Float64Array[], setName: string): string {
  const grid = imageGrid(
    means.map((pixels, label) => ({ pixels, column: CLASS_NAMES[label], row: "mean" })),
    { cell: 64 },
  );
  return figure(grid, {
    title: "Class means: silhouettes are distinct, except tops, pullovers, coats and shirts",
    subtitle: `Pixel-wise mean of every ${setName} image of each class`,
  });
}

/** Fig. 3: explained variance per component (bars) and cumulative (line), with thresholds marked. */
export function explainedVarianceFigure(fit: PcaFit, shares = [0.8, 0.9, 0.95], show = 200): string {
  const rows = fit.explained.slice(0, show).map((e, i) => ({ k: i + 1, e, c: fit.cumulative[i] }));
  const marks = shares.map((s) => ({ share: s, k: componentsFor(fit, s) }));
  const individual = plotSvg({
    width: 420,
    height: 320,
    marginLeft: 50,
    x: { label: "component", domain: [0, 30] },
    y: { label: "share of variance", grid: true, tickFormat: "%" },
    marks: [
      Plot.rectY(rows.filter((r) => r.k <= 30), {
        x1: (d) => d.k - 0.4,
        x2: (d) => d.k + 0.4,
        y: "e",
        fill: "#4e79a7",
      }),
      Plot.ruleY([0]),
    ],
  });
  const cumulative = plotSvg({
    width: 420,
    height: 320,
    marginLeft: 50,
    x: { label: "components kept", domain: [0, show] },
    y: { label: "cumulative share", grid: true, domain: [0, 1], tickFormat: "%" },
    marks: [
      Plot.line(rows, { x: "k", y: "c", stroke: "#e15759", strokeWidth: 2 }),
      Plot.ruleY(marks, { y: "share", stroke: "#999", strokeDasharray: "3,3" }),
      Plot.dot(marks, { x: "k", y: "share", fill: "#222" }),
      Plot.text(marks, {
        x: "k",
        y: "share",
        text: (d) => `${Math.round(d.share * 100)}%: ${d.k}`,
        dx: -4,
        dy: -8,
        textAnchor: "end",
      }),
    ],
  });
  const [a, b] = fit.explained;
  return figure([individual, cumulative], {
    title: `${
      marks.map((m) => `${m.k} components keep ${Math.round(m.share * 100)}%`).join(", ")
    } of the variance`,
    subtitle: `PCA of ${fit.count.toLocaleString("en-US")} training images: the first two components ` +
      `explain ${percent(a)} and ${percent(b)} (left: first 30; right: cumulative)`,
  });
}

/** Fig. 4: the 2-D PCA projection, one dot per image, coloured by class. */
export function pcaScatterFigure(points: number[][], labels: ArrayLike<number>, fit: PcaFit): string {
  const data = points.map(([x, y], i) => ({ x, y, label: labels[i] }));
  const chart = plotSvg({
    width: 720,
    height: 520,
    marginLeft: 50,
    x: { label: `PC 1 (${percent(fit.explained[0])} of variance)` },
    y: { label: `PC 2 (${percent(fit.explained[1])} of variance)` },
    color: { domain: CLASS_NAMES.map((_, i) => i), range: CLASS_COLORS },
    marks: [Plot.dot(data, { x: "x", y: "y", fill: "label", r: 1.4, fillOpacity: 0.6 })],
  });
  return figure(chart, {
    title: "Two components separate footwear, trousers and bags; the tops overlap",
    subtitle: `${points.length.toLocaleString("en-US")} random training images projected on the first two ` +
      `principal components (fitted on all ${fit.count.toLocaleString("en-US")})`,
    legend: { labels: CLASS_NAMES, colors: CLASS_COLORS },
  });
}
