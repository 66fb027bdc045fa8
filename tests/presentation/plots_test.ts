import assert from "node:assert/strict";
import * as Plot from "@observablehq/plot";
import {
  figure,
  imageGrid,
  pieChart,
  plotSvg,
  saveFigure,
  svgSize,
  svgToPng,
  textWidth,
} from "../../lib/presentation/plots.ts";
import { encodeGrayPng, pngDataUrl } from "../../lib/presentation/png.ts";
import { classBalance, classMeanImages, pixelHistogram } from "../../lib/analysis/eda.ts";
import { PIXELS } from "../../lib/data/fashion_mnist.ts";

const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

Deno.test("plotSvg renders a standalone SVG with its size; Plot titles are refused with a fix", () => {
  const svg = plotSvg({ width: 300, height: 200, marks: [Plot.barY([3, 1, 2])] });
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.deepEqual(svgSize(svg), { width: 300, height: 200 });
  assert.equal((svg.match(/<rect/g) ?? []).length, 3);
  assert.throws(() => plotSvg({ title: "t", marks: [Plot.barY([1])] }), /give those to figure\(\)/);
});

Deno.test("figure composes panels side by side under a title, with a legend", () => {
  const a = plotSvg({ width: 200, height: 100, marks: [Plot.dot([1, 2])] });
  const b = plotSvg({ width: 300, height: 150, marks: [Plot.dot([1, 2])] });
  const svg = figure([a, b], {
    title: "Two & more",
    subtitle: "sub",
    legend: { labels: ["x", "y"], colors: ["red", "blue"] },
  });
  const { width, height } = svgSize(svg);
  assert.ok(width >= 200 + 300 + 16, `width ${width}`);
  assert.ok(height > 150, `height ${height}`);
  assert.match(svg, /Two &amp; more/);
  assert.equal((svg.match(/fill="(red|blue)"/g) ?? []).length, 2);
});

Deno.test("svgToPng renders a PNG at twice the size", () => {
  const png = svgToPng(
    figure(plotSvg({ width: 100, height: 80, marks: [Plot.dot([1])] }), { title: "t" }),
    2,
  );
  assert.deepEqual(Array.from(png.subarray(0, 8)), PNG_SIGNATURE);
  const view = new DataView(png.buffer, png.byteOffset);
  assert.ok(view.getUint32(16) >= 200, "width at 2x");
});

Deno.test("encodeGrayPng writes a valid PNG that resvg can draw at the right size", () => {
  const pixels = Uint8Array.from({ length: 28 * 28 }, (_, i) => i % 256);
  const png = encodeGrayPng(pixels, 28, 28, 2);
  assert.deepEqual(Array.from(png.subarray(0, 8)), PNG_SIGNATURE);
  const view = new DataView(png.buffer, png.byteOffset);
  assert.equal(view.getUint32(16), 56);
  assert.equal(view.getUint32(20), 56);
  assert.throws(() => encodeGrayPng(pixels, 10, 10), /expected 10x10/);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="56" height="56"><image href="${
    pngDataUrl(png)
  }" width="56" height="56"/></svg>`;
  assert.ok(svgToPng(svg, 1).length > 100);
});

Deno.test("pieChart draws one slice per value with its share", () => {
  const svg = pieChart([1, 1, 2], ["a", "b", "c"], ["#111", "#222", "#333"]);
  assert.equal((svg.match(/<path/g) ?? []).length, 3);
  assert.match(svg, />c 50\.0%</);
  assert.throws(() => pieChart([0, 0], ["a", "b"]), /positive/);
});

Deno.test("imageGrid lays out one image per cell with column labels", () => {
  const pixels = new Uint8Array(PIXELS);
  const svg = imageGrid([
    { pixels, column: "A", row: "1" },
    { pixels, column: "B", row: "1" },
    { pixels, column: "A", row: "2" },
  ]);
  assert.equal((svg.match(/<image/g) ?? []).length, 3);
  assert.match(svg, />A</);
});

Deno.test("saveFigure writes SVG and PNG atomically into FMNIST_FIGURES_DIR; bad names are refused", async () => {
  const dir = await Deno.makeTempDir();
  const before = Deno.env.get("FMNIST_FIGURES_DIR");
  Deno.env.set("FMNIST_FIGURES_DIR", dir);
  try {
    const svg = figure(plotSvg({ width: 100, height: 80, marks: [Plot.dot([1])] }), { title: "t" });
    const { svgPath, pngPath } = await saveFigure("99_test", svg);
    assert.equal(svgPath, `${dir}/99_test.svg`);
    assert.equal(await Deno.readTextFile(svgPath), svg);
    assert.ok((await Deno.stat(pngPath)).size > 100);
    const names = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
    assert.deepEqual(names, ["99_test.png", "99_test.svg"]);
    await assert.rejects(saveFigure("../escape", svg), /must be letters/);
  } finally {
    if (before === undefined) Deno.env.delete("FMNIST_FIGURES_DIR");
    else Deno.env.set("FMNIST_FIGURES_DIR", before);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("EDA statistics: class balance, pixel histogram and class means on a hand-made subset", () => {
  const images = new Uint8Array(3 * PIXELS);
  images.fill(255, 0, PIXELS); // image 0: all ink
  images[PIXELS] = 100; // image 1: one grey pixel
  const subset = { images, labels: Uint8Array.from([2, 2, 7]), count: 3 };
  const rows = classBalance({ train: subset });
  assert.equal(rows[2].train, 2);
  assert.equal(rows[7].train, 1);
  assert.equal(rows[0].train, 0);
  const hist = pixelHistogram(subset);
  assert.equal(hist[255], PIXELS);
  assert.equal(hist[100], 1);
  assert.equal(hist[0], 2 * PIXELS - 1);
  const means = classMeanImages(subset);
  assert.equal(means[2][0], (255 + 100) / 2);
  assert.equal(means[2][1], 255 / 2);
  assert.equal(means[7][0], 0);
});

Deno.test("figure is wide enough for its title: wide letters and percent signs count for more", () => {
  assert.ok(textWidth("MMMM", 15, true) > 2 * textWidth("iiii", 15, true));
  const title = "ANN: 88.3% mean over 3 seeds (88.2-88.4%), MultiMargin WWW";
  const svg = figure(`<svg width="100" height="50"></svg>`, { title });
  const width = Number(svg.match(/width="(\d+)"/)![1]);
  assert.ok(width >= textWidth(title, 15, true), `${width} < ${textWidth(title, 15, true)}`);
});
