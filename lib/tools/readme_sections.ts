/**
 * README's generated sections, each between `<!-- name:start -->` and `<!-- name:end -->`: the papers'
 * references, the experiments table, the claim counts, the defaults each paper uses (all from the paper
 * folders) and the rulebook (from
 * `rulebook.ts`). `deno task scorecard` rewrites them; a test fails when one is stale.
 *
 * @module
 */
import { writeAtomically } from "../data/files.ts";
import { REPO_ROOT } from "../training/profile.ts";
import { citation, MODELS, PAPER_LIST, RECIPES } from "../papers/registry.ts";
import { CATALOGUES } from "../analysis/catalogue.ts";
import { rulebookMarkdown } from "../analysis/rulebook.ts";
import { experimentSeeds } from "../training/experiments.ts";

/** README's path. */
export const README_PATH = `${REPO_ROOT}README.md`;

const number = (n: number) => n.toLocaleString("en-US");
const sentence = (text: string) => `${text[0].toUpperCase()}${text.slice(1)}${text.endsWith(".") ? "" : "."}`;

/** The Papers list: each paper's label, full reference and what its reference leaves unstated. */
export function papersMarkdown(): string {
  return PAPER_LIST.map((p) => {
    const note = p.reference.note ? ` (${sentence(p.reference.note)})` : "";
    const notebooks = `notebook${p.notebooks.length > 1 ? "s" : ""} ${
      p.notebooks.map((n) => n.slice(0, 2)).join(", ")
    }`;
    return `- **${p.reference.label}** (\`lib/papers/${p.slug}/\`, ${notebooks}): ${citation(p.id)}${note}`;
  }).join("\n");
}

/** The experiments table: every architecture, its source, parameter counts, what the paper states, its recipe. */
export function experimentsMarkdown(): string {
  const recipes = Object.values(RECIPES);
  const rows = Object.values(MODELS).map((spec) => {
    const c = spec.counts;
    const params = c.nonTrainable ? `${number(c.trainable)} + ${number(c.nonTrainable)}` : number(c.total);
    const stated = spec.stated ? `${spec.stated.text} ${spec.stated.agrees ? "✓" : "✗"}` : "—";
    const r = recipes.find((r) => r.model === spec.name);
    const recipe = r
      ? `${r.optimizer} ${r.learningRate}, batch ${r.batchSize}, ${r.epochs} epochs${
        r.augmentation ? ", augmented" : ""
      }`
      : "—";
    return `| \`${spec.name}\` | ${spec.source} | ${params} | ${stated.replaceAll("|", "\\|")} | ${recipe} |`;
  });
  return [
    "| model | source | parameters (trainable + non-trainable) | paper states | paper recipe |",
    "| --- | --- | ---: | --- | --- |",
    ...rows,
  ].join("\n");
}

/** The claim counts, per paper, largest first. */
export function claimCountsMarkdown(): string {
  const counts = PAPER_LIST.map((p) => ({ label: p.reference.label, n: CATALOGUES[p.id].claims.length }))
    .sort((a, b) => b.n - a.n);
  const total = counts.reduce((s, c) => s + c.n, 0);
  const parts = counts.map((c) => `${number(c.n)} for ${c.label}`);
  return `${number(total)} claims in all: ${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}.`;
}

/** Which defaults each paper's experiments use now, and its seeds at the paper's settings. */
export function defaultsMarkdown(): string {
  const rows = PAPER_LIST.map((p) => {
    const counts = p.recipes.map((r) => experimentSeeds(r.name ?? r.model, "paper").length);
    const seeds = [...new Set(counts)].sort((a, b) => b - a).join(" or ");
    const uses = p.defaults === "tfjs"
      ? "tfjs's, until its campaign runs are stored"
      : `${p.framework === "keras" ? "Keras's" : "PyTorch's"} ✓`;
    return `| ${p.reference.label} | ${
      p.framework === "keras" ? "Keras (TensorFlow)" : "PyTorch"
    } | ${uses} | ${seeds} |`;
  });
  return [
    "| paper | framework | its experiments use the defaults of | campaign seeds per configuration (`paper`) |",
    "| --- | --- | --- | ---: |",
    ...rows,
  ].join("\n");
}

/** Every generated section, by marker name. */
export const README_SECTIONS: Readonly<Record<string, () => string>> = {
  papers: papersMarkdown,
  experiments: experimentsMarkdown,
  "claim-counts": claimCountsMarkdown,
  defaults: defaultsMarkdown,
  rulebook: rulebookMarkdown,
};

/** The markers around section `name`. */
export const markers = (name: string) => [`<!-- ${name}:start -->`, `<!-- ${name}:end -->`] as const;

/** `readme` with section `name` replaced by `text` (unformatted). */
export function readmeWith(readme: string, name: string, text: string): string {
  const [start, end] = markers(name);
  const from = readme.indexOf(start), to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md has lost its ${name} markers (${start} ... ${end})`);
  return `${readme.slice(0, from + start.length)}\n${text}\n${readme.slice(to)}`;
}

/** The text between section `name`'s markers in `readme`. */
export function sectionOf(readme: string, name: string): string {
  const [start, end] = markers(name);
  return readme.slice(readme.indexOf(start) + start.length, readme.indexOf(end));
}

/** Rewrite every generated section of README, formatted as `deno fmt` formats it. */
export async function writeReadmeSections(): Promise<void> {
  let readme = await Deno.readTextFile(README_PATH);
  for (const [name, make] of Object.entries(README_SECTIONS)) readme = readmeWith(readme, name, make());
  await writeAtomically(README_PATH, readme);
  const fmt = await new Deno.Command(Deno.execPath(), { args: ["fmt", "-q", README_PATH] }).output();
  if (!fmt.success) throw new Error(`deno fmt README.md failed: ${new TextDecoder().decode(fmt.stderr)}`);
}
