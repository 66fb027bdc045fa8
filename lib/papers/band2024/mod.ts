/**
 * The entry of Band et al. 2024's notebooks: the whole library, this paper's declaration and its own views, in
 * one import (`import { ... } from "../lib/papers/band2024/mod.ts";`).
 *
 * @module
 */
export * from "../../mod.ts";
export { PAPER } from "./paper.ts";
export * from "./views.ts";
export * from "./views_ablation.ts";
export * from "./views_kaggle.ts";
