import assert from "node:assert/strict";
import {
  claimCountsMarkdown,
  experimentsMarkdown,
  markers,
  README_PATH,
  README_SECTIONS,
  readmeWith,
  sectionOf,
} from "../../lib/tools/readme_sections.ts";
import { MODELS, PAPER_LIST } from "../../lib/papers/registry.ts";

const FIX = "regenerate with `deno task scorecard`";
const words = (text: string) =>
  text.replace(/\s+/g, " ").replace(/\| *-+:? */g, "|-").replace(/ *\| */g, "|").trim();

Deno.test("README's generated sections (papers, experiments, claim counts, rulebook) are what the code gives", async () => {
  const readme = await Deno.readTextFile(README_PATH);
  for (const [name, make] of Object.entries(README_SECTIONS)) {
    assert.ok(readme.includes(markers(name)[0]), `README lacks the ${name} markers`);
    assert.ok(words(sectionOf(readme, name)) === words(make()), `README's ${name} section is stale: ${FIX}`);
  }
});

Deno.test("README sections: replaced between their markers; lost markers are named", () => {
  const [start, end] = markers("papers");
  assert.equal(readmeWith(`a ${start} old ${end} b`, "papers", "new"), `a ${start}\nnew\n${end} b`);
  assert.throws(() => readmeWith("# no markers", "rulebook", "x"), /lost its rulebook markers/);
});

Deno.test("README sections: one table row per architecture, and every paper's claims counted", () => {
  const table = experimentsMarkdown();
  for (const name of Object.keys(MODELS)) assert.match(table, new RegExp(`\\| \`${name}\` \\|`));
  assert.equal(table.split("\n").length, Object.keys(MODELS).length + 2);
  const counts = claimCountsMarkdown();
  for (const p of PAPER_LIST) assert.ok(counts.includes(p.reference.label), p.reference.label);
  assert.match(counts, /^[\d,]+ claims in all: /);
});
