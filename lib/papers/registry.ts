/**
 * The papers this project reproduces, from one list ({@link PAPER_LIST}), and everything looked up across
 * them by name: references and citations, architectures ({@link MODELS}, {@link buildModel}) and recipes
 * ({@link RECIPES}). A new paper's folder joins by its import and one entry in the list (`deno task new-paper`
 * adds both).
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { UserError } from "../errors.ts";
import { buildFromSpec, type Framework, type ModelSpec } from "../models/spec.ts";
import type { PaperDefinition, PaperReference, Recipe } from "./types.ts";
import { PAPER as abdulaziz } from "./abdulaziz/paper.ts";
import { PAPER as awasthi2024 } from "./awasthi2024/paper.ts";
import { PAPER as sivakumar } from "./sivakumar/paper.ts";
import { PAPER as band2024 } from "./band2024/paper.ts";
import { PAPER as tang } from "./tang/paper.ts";
// new-paper: imports above this line

/** Every paper, in the order they were added (their ids' order). */
export const PAPER_LIST: readonly PaperDefinition[] = [
  abdulaziz,
  awasthi2024,
  sivakumar,
  band2024,
  tang,
  // new-paper: entries above this line
];

/** The papers' references by paper id. */
export const PAPERS: Readonly<Record<string, PaperReference>> = Object.fromEntries(
  PAPER_LIST.map((p) => [p.id, p.reference]),
);

/** A paper by id or folder slug; unknown is an error listing the known ones. */
export function paper(idOrSlug: string): PaperDefinition {
  const found = PAPER_LIST.find((p) => p.id === idOrSlug || p.slug === idOrSlug);
  if (!found) {
    throw new UserError(
      `unknown paper "${idOrSlug}". Known: ${PAPER_LIST.map((p) => `${p.slug} (${p.id})`).join(", ")}`,
    );
  }
  return found;
}

/**
 * The full reference of a paper: authors (year). Title. Venue.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { citation } from "./registry.ts";
 * assert.match(citation("awasthi2024"), /^Shivani Awasthi and Swati Soni \(2024\)\. Enhanced CNN/);
 * ```
 */
export function citation(id: string): string {
  const p = paper(id).reference;
  const authors = p.authors.length > 1
    ? `${p.authors.slice(0, -1).join(", ")} and ${p.authors.at(-1)}`
    : p.authors[0];
  return `${authors} (${p.year ?? "n.d."}). ${p.title}. ${p.venue}.`;
}

/** Every paper architecture by name. */
export const MODELS: Readonly<Record<string, ModelSpec>> = Object.fromEntries(
  PAPER_LIST.flatMap((p) => p.models).map((s) => [s.name, s]),
);

/**
 * Look up a registered architecture; an unknown name is an error listing the known ones.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { modelSpec } from "./registry.ts";
 * assert.equal(modelSpec("000-three-block").counts.total, 110_474);
 * assert.equal(modelSpec("004-tinyvgg").framework, "pytorch");
 * assert.throws(() => modelSpec("nope"), /unknown model "nope"/);
 * ```
 */
export function modelSpec(name: string): ModelSpec {
  const spec = Object.hasOwn(MODELS, name) ? MODELS[name] : undefined; // not "toString" and friends
  if (!spec) throw new UserError(`unknown model "${name}". Registered: ${Object.keys(MODELS).join(", ")}`);
  return spec;
}

/**
 * Build a registered model with seeded weights: the same name and seed give the same initial weights on
 * every run.
 *
 * @example
 * ```ts
 * const model = buildModel("000-three-block", 1);
 * ```
 */
export function buildModel(name: string, seed = 1, framework?: Framework): tf.Sequential {
  return buildFromSpec(modelSpec(name), seed, framework);
}

/** The paper recipes, by experiment name (the model name, or the variant's name). */
export const RECIPES: Readonly<Record<string, Recipe>> = Object.fromEntries(
  PAPER_LIST.flatMap((p) => p.recipes).map((r) => [r.name ?? r.model, r]),
);

/** An experiment's recipe by name; an unknown name is an error listing the known ones. */
export function recipeOf(name: string): Recipe {
  const found = Object.hasOwn(RECIPES, name) ? RECIPES[name] : undefined; // not "toString" and friends
  if (!found) throw new UserError(`unknown experiment "${name}". Known: ${Object.keys(RECIPES).join(", ")}`);
  return found;
}

/** The paper whose recipe an experiment is; an unknown name is an error listing the known ones. */
export function paperOfExperiment(name: string): PaperDefinition {
  const recipe = recipeOf(name);
  return PAPER_LIST.find((p) => p.recipes.includes(recipe))!;
}
