/**
 * The entry of Sivakumar et al.'s notebooks: the whole library, this paper's declaration and its own views, in
 * one import (`import { ... } from "../lib/papers/sivakumar/mod.ts";`).
 *
 * @module
 */
export * from "../../mod.ts";
export { PAPER } from "./paper.ts";
export * from "./views.ts";
