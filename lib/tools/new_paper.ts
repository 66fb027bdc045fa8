/**
 * Scaffold a sixth (seventh, ...) paper: its folder under `lib/papers/` (a reference to fill in, an example
 * model and recipe, an empty claims catalogue that validates, its own views module and entry), a notebook
 * skeleton with an exercises section, and its line in the registry. The notebook runs as written, under
 * every profile; replace the example with the paper's own architecture and recipe, then add claims.
 *
 * ```sh
 * deno task new-paper <slug> [--framework keras|pytorch] [--label "Author et al."]
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { main, UserError } from "../errors.ts";
import { FRAMEWORKS } from "../models/spec.ts";
import { REPO_ROOT } from "../training/profile.ts";
import { PAPER_LIST } from "../papers/registry.ts";

/** What the scaffold writes, relative to the repository root. */
export interface Scaffold {
  id: string;
  slug: string;
  notebook: string;
  files: string[];
}

const SLUG = /^[a-z][a-z0-9]{1,30}$/;

/** The next free paper id: one above the largest, three digits. */
export function nextPaperId(ids: readonly string[]): string {
  const largest = Math.max(-1, ...ids.map(Number).filter(Number.isInteger));
  return String(largest + 1).padStart(3, "0");
}

/** The next notebook number: one above the largest `NN_` prefix in `names`. */
export function nextNotebookNumber(names: readonly string[]): string {
  const numbers = names.map((n) => Number(n.match(/^(\d+)_/)?.[1])).filter(Number.isInteger);
  return String(Math.max(0, ...numbers) + 1).padStart(2, "0");
}

function paperModule(id: string, slug: string, label: string, framework: string): string {
  const model = `${id}-example`;
  const torch = framework === "pytorch";
  const layers = torch
    ? `[conv(16, 3, { ...first, ...torchInit(9) }), pool(), tf.layers.flatten(), dense(64, "relu", torchInit(2704)),
      dense(10, "linear", torchInit(64))]`
    : `[conv(16, 3, first), pool(), tf.layers.flatten(), dense(64), ...head()]`;
  const blocks = torch ? "conv, dense, first, pool, torchInit" : "conv, dense, first, head, pool";
  return `/**
 * ${label}: TODO one line on what the paper studies, and which notebook reproduces it.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { ${blocks} } from "../../models/framework_layers.ts";
import type { ModelSpec } from "../../models/spec.ts";
import type { PaperDefinition, Recipe } from "../types.ts";
import claims from "./claims.json" with { type: "json" };

/** The paper's architectures. TODO: replace the example with the paper's own, section by section. */
const MODELS: ModelSpec[] = [
  {
    name: "${model}",
    source: "${label}, section TODO (an example model until the paper's own is written)",
    summary: "Conv 16 3x3 ReLU -> MaxPool 2 -> Flatten -> Dense 64 ReLU -> Dense 10 ${
    torch ? "(logits)" : "softmax"
  }",
    output: "${torch ? "logits" : "softmax"}",
    framework: "${framework}",
    counts: { trainable: 173930, nonTrainable: 0, total: 173930 },
    choices: ["an example: write here each reading you choose where the paper is vague, and why"],
    layers: () => ${layers},
  },
];

/** The paper's recipes. TODO: the paper's split, optimizer, learning rate, loss, batch size and epochs. */
const RECIPES: Recipe[] = [
  {
    model: "${model}",
    source: "${label}, section TODO: Adam 1e-3, batch 32, 3 epochs (an example recipe)",
    split: "official",
    validationFraction: 0.1,
    optimizer: "adam",
    learningRate: 1e-3,
    loss: "crossEntropy",
    batchSize: 32,
    epochs: 3,
    quick: { epochs: 1, trainLimit: 10_000 },
  },
];

/** ${label}. */
export const PAPER: PaperDefinition = {
  id: "${id}",
  slug: "${slug}",
  reference: {
    authors: ["TODO First Author", "TODO Second Author"],
    title: "TODO The Paper's Title",
    venue: "TODO journal, or the institution of a report",
    year: null,
    label: "${label}",
  },
  framework: "${framework}",
  notebooks: [],
  models: MODELS,
  recipes: RECIPES,
  claims,
};
`;
}

function claimsFile(id: string, label: string): string {
  return JSON.stringify(
    {
      paper: id,
      excluded:
        `TODO: which results ${label} cites from other work (not its own claims), and that they were left out`,
      claims: [],
    },
    null,
    2,
  ) + "\n";
}

function viewsModule(label: string): string {
  return `/**
 * ${label}'s own views: what only this paper's notebook shows. Views take runs; they never train (the
 * notebook calls runSeeds itself and passes the runs in).
 *
 * @module
 */
import type { RunResult } from "../../training/store.ts";
import { percent } from "../../format.ts";
import { showTable } from "../../presentation/notebook.ts";

/** Test accuracy of each run, one row per seed (an example view: replace or extend it). */
export async function showTestAccuracy(runs: RunResult[], label: string): Promise<void> {
  await showTable(
    runs.map((r) => ({ run: label, seed: r.config.seed, "test accuracy": percent(r.test.accuracy, 2) })),
    { caption: \`\${label}: test accuracy per seed, profile \${runs[0].config.profile}\` },
  );
}
`;
}

function entryModule(slug: string, label: string): string {
  return `/**
 * The entry of ${label}'s notebook: the whole library, this paper's declaration and its own views, in one
 * import (\`import { ... } from "../lib/papers/${slug}/mod.ts";\`).
 *
 * @module
 */
export * from "../../mod.ts";
export { PAPER } from "./paper.ts";
export * from "./views.ts";
`;
}

type Cell = { cell_type: "markdown" | "code"; metadata: Record<string, unknown>; source: string[] };

function cell(type: "markdown" | "code", text: string, nbgrader?: Record<string, unknown>): Cell {
  const lines = text.split("\n");
  const source = lines.map((l, i) => i < lines.length - 1 ? `${l}\n` : l);
  const metadata = nbgrader ? { nbgrader: { schema_version: 3, ...nbgrader } } : {};
  return type === "code"
    ? { cell_type: type, metadata, source, ...{ execution_count: null, outputs: [] } }
    : { cell_type: type, metadata, source };
}

function notebookJson(id: string, slug: string, label: string, name: string, number: string): string {
  const model = `${id}-example`;
  const ex = `nb${number}_ex1`;
  const cells = [
    cell(
      "markdown",
      `# ${label}: TODO the paper's title\n\n` +
        `TODO the full reference (authors (year). Title. Venue.). What the paper did, and what this notebook ` +
        `does: each section below says what the paper did, a short code cell does it, and the output shows it.`,
    ),
    cell(
      "code",
      `import {\n  buildModel, check, layerSummary, notImplemented, runSeeds, setupNotebook, showClaims, showCurves,\n` +
        `  showSeeds, showTable, showTestAccuracy,\n} from "../lib/papers/${slug}/mod.ts";\n\n` +
        `const { profile } = await setupNotebook();\nconst NOTEBOOK = "${name}";\n` +
        `const SEEDS = { paper: [1, 2, 3], quick: [1, 2, 3], smoke: [1] }[profile]; // smoke: CI, in seconds`,
    ),
    cell("markdown", "## The model\n\nTODO: the architecture as the paper describes it, and as built here."),
    cell("code", `await showTable(layerSummary(buildModel("${model}")), { caption: "${model}, as built" });`),
    cell(
      "markdown",
      "## Training at the paper's settings\n\nTODO: the paper's recipe, and what it leaves open. Each seed's " +
        "run is loaded from the run store, or trained now when it is missing.",
    ),
    cell(
      "code",
      `const runs = await runSeeds("${model}", SEEDS);\nawait showCurves("${number}_curves", runs, "${model}");\n` +
        `await showSeeds(runs, "${model}");\nawait showTestAccuracy(runs, "${model}");`,
    ),
    cell(
      "markdown",
      "## The paper's claims\n\nEvery claim of the catalogue, with its verdict by the rulebook.",
    ),
    cell("code", "await showClaims(NOTEBOOK, { rest: true });"),
    cell(
      "markdown",
      "## Exercises\n\nEach exercise has a statement, a cell for your solution (replace the line that throws " +
        '"not implemented") and a test cell that checks it.',
    ),
    cell(
      "markdown",
      "### Exercise 1 · Count a dense layer's parameters (1 point)\n\nWrite `denseParams(inputs, units)`: " +
        "one weight per input-unit pair plus one bias per unit.",
      { grade: false, grade_id: `${ex}_task`, locked: true, solution: false },
    ),
    cell(
      "code",
      "function denseParams(inputs: number, units: number): number {\n  // BEGIN SOLUTION\n" +
        "  return inputs * units + units;\n  // END SOLUTION\n}",
      { grade: false, grade_id: `${ex}_solution`, locked: false, solution: true },
    ),
    cell(
      "code",
      'check(denseParams(2, 3) === 9, "3 units on 2 inputs: 6 weights and 3 biases");\n' +
        "// BEGIN HIDDEN TESTS\n" +
        'check(denseParams(64, 10) === 650, "the example\'s head");\n' +
        "// END HIDDEN TESTS\n" +
        'console.log("✓ Exercise 1: the checks passed");',
      { grade: true, grade_id: `${ex}_test`, locked: true, points: 1, solution: false },
    ),
  ];
  const notebook = {
    cells,
    metadata: {
      kernelspec: { display_name: "Deno", language: "typescript", name: "deno" },
      language_info: { name: "typescript", file_extension: ".ts", mimetype: "text/x.typescript" },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return JSON.stringify(notebook, null, 1) + "\n";
}

/** Insert `line` above the marker comment `marker` in `text` (the registry's two lists). */
function insertAbove(text: string, marker: string, line: string): string {
  const at = text.indexOf(marker);
  if (at < 0) {
    throw new UserError(`lib/papers/registry.ts lacks its "${marker}" marker; add the paper by hand`);
  }
  const lineStart = text.lastIndexOf("\n", at) + 1;
  return text.slice(0, lineStart) + line + "\n" + text.slice(lineStart);
}

/**
 * Write a new paper's folder, notebook and registry line under `root` (the repository; the default is this
 * one). Refuses a slug that is not lowercase letters and digits, or that exists.
 */
export async function scaffoldPaper(
  slug: string,
  options: { framework?: string; label?: string; root?: string } = {},
): Promise<Scaffold> {
  const root = options.root ?? REPO_ROOT;
  const framework = options.framework ?? "keras";
  if (!SLUG.test(slug)) {
    throw new UserError(
      `paper slug "${slug}": use 2-31 lowercase letters and digits, starting with a letter`,
    );
  }
  if (!(FRAMEWORKS as readonly string[]).includes(framework)) {
    throw new UserError(`--framework "${framework}": use one of ${FRAMEWORKS.join(", ")}`);
  }
  const label = options.label ?? `${slug[0].toUpperCase()}${slug.slice(1)} et al.`;
  const folder = `${root}/lib/papers/${slug}`;
  if (await Deno.stat(folder).then(() => true, () => false)) {
    throw new UserError(`lib/papers/${slug} exists already. Fix: choose another slug`);
  }
  const registryPath = `${root}/lib/papers/registry.ts`;
  const registry = await Deno.readTextFile(registryPath);
  const ids: string[] = [];
  for (const entry of Deno.readDirSync(`${root}/lib/papers`)) {
    if (!entry.isDirectory) continue;
    const text = await Deno.readTextFile(`${root}/lib/papers/${entry.name}/paper.ts`).catch(() => "");
    ids.push(...[...text.matchAll(/^ {2}id: "(\d+)",$/gm)].map((m) => m[1]));
  }
  const id = nextPaperId([...ids, ...PAPER_LIST.map((p) => p.id)]);
  const notebooks = [...Deno.readDirSync(`${root}/notebooks`)].map((e) => e.name);
  const number = nextNotebookNumber(notebooks);
  const notebook = `${number}_${slug}`;
  const paperTs = paperModule(id, slug, label, framework).replace(
    "notebooks: [],",
    `notebooks: ["${notebook}"],`,
  );
  const files: [string, string][] = [
    [`lib/papers/${slug}/paper.ts`, paperTs],
    [`lib/papers/${slug}/claims.json`, claimsFile(id, label)],
    [`lib/papers/${slug}/views.ts`, viewsModule(label)],
    [`lib/papers/${slug}/mod.ts`, entryModule(slug, label)],
    [`notebooks/${notebook}.ipynb`, notebookJson(id, slug, label, notebook, number)],
  ];
  let updated = insertAbove(
    registry,
    "// new-paper: imports above this line",
    `import { PAPER as ${slug} } from "./${slug}/paper.ts";`,
  );
  updated = insertAbove(updated, "  // new-paper: entries above this line", `  ${slug},`);
  await Deno.mkdir(folder);
  for (const [path, text] of files) await Deno.writeTextFile(`${root}/${path}`, text);
  await Deno.writeTextFile(registryPath, updated);
  return { id, slug, notebook, files: [...files.map(([p]) => p), "lib/papers/registry.ts"] };
}

if (import.meta.main) {
  await main(async () => {
    const { values, positionals } = parseArgs({
      args: Deno.args,
      options: { framework: { type: "string" }, label: { type: "string" } },
      allowPositionals: true,
    });
    if (positionals.length !== 1) {
      throw new UserError(
        'usage: deno task new-paper <slug> [--framework keras|pytorch] [--label "Author et al."]',
      );
    }
    const made = await scaffoldPaper(positionals[0], values);
    console.log(`Paper ${made.slug} (id ${made.id}) scaffolded:`);
    for (const f of made.files) console.log(`  ${f}`);
    console.log(
      `Next: fill in the reference and the TODOs in lib/papers/${made.slug}/paper.ts, then run\n` +
        `  deno run -A lib/tools/headless.ts --profile smoke notebooks/${made.notebook}.ipynb\n` +
        `and add claims to lib/papers/${made.slug}/claims.json (README: "Adding a paper").`,
    );
  });
}
