/**
 * Papers: one folder per paper (`<slug>/paper.ts`: reference, framework, architectures, recipes; its claims
 * catalogue; the views only its notebook uses) and the registry that lists them. Notebooks import a paper's
 * folder entry (`<slug>/mod.ts`), which brings the whole library with it.
 *
 * @module
 */
export * from "./types.ts";
export * from "./registry.ts";
