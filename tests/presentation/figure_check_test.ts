import assert from "node:assert/strict";
import { figureGlitches } from "../../lib/presentation/figure_check.ts";

const svg = (body: string, width = 300) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="200" font-size="10">${body}</svg>`;
const ticks = (labels: string[], y = 0) =>
  `<g aria-label="y-axis tick label"><g transform="translate(0,${y})" text-anchor="end">${
    labels.map((l, i) => `<text transform="translate(40,${20 + 20 * i})">${l}</text>`).join("")
  }</g></g>`;

Deno.test("figure check: an axis repeating a tick label is a glitch; facets repeating their axes are not", () => {
  assert.deepEqual(figureGlitches(svg(ticks(["88.3%", "88.4%", "88.5%"]))), []);
  const repeated = figureGlitches(svg(ticks(["88.3%", "88.3%", "88.4%"])));
  assert.deepEqual(repeated.map((g) => [g.kind, g.text]), [["duplicate tick label", "88.3%"]]);
  assert.deepEqual(figureGlitches(svg(ticks(["Tang", "Band"]) + ticks(["Tang", "Band"], 60))), []);
});

Deno.test("figure check: text past the figure's edge, or past the panel that clips it, is a glitch", () => {
  const title = "A title far too long to fit into a figure of this width, whatever the font";
  const cut = figureGlitches(svg(`<text x="12" y="20" font-size="15" font-weight="bold">${title}</text>`));
  assert.deepEqual(cut.map((g) => g.kind), ["text cut at the edge"]);
  assert.deepEqual(figureGlitches(svg(`<text x="12" y="20">short</text>`)), []);
  const panel =
    `<g transform="translate(150,0)"><svg width="100" height="100"><text x="90" y="50">wide label</text></svg></g>`;
  assert.deepEqual(figureGlitches(svg(panel)).map((g) => g.text), ["wide label"], "the panel clips it");
  const rotated =
    `<text transform="translate(2,100) rotate(-90)" text-anchor="middle">a long vertical label</text>`;
  assert.deepEqual(figureGlitches(svg(rotated)), [], "a vertical label spans one line across");
});

Deno.test("figure check: every figure in figures/ is free of repeated tick labels and cut text", async () => {
  const dir = new URL("../../figures/", import.meta.url).pathname;
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.name.endsWith(".svg")) continue;
    for (const g of figureGlitches(await Deno.readTextFile(`${dir}${entry.name}`))) {
      found.push(`${entry.name}: ${g.kind} "${g.text}" (${g.detail})`);
    }
  }
  assert.deepEqual(found, []);
});
