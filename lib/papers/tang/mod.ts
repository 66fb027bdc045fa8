/**
 * The entry of Tang et al.'s notebooks: the whole library, this paper's declaration and its own views, in
 * one import (`import { ... } from "../lib/papers/tang/mod.ts";`).
 *
 * @module
 */
export * from "../../mod.ts";
export { PAPER } from "./paper.ts";
export * from "./views.ts";
export * from "./views_failures.ts";
export * from "./views_framework.ts";
