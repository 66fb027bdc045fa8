/**
 * The entry of Abdul Aziz & Sayed's notebooks: the whole library, this paper's declaration and its own views, in
 * one import (`import { ... } from "../lib/papers/abdulaziz/mod.ts";`).
 *
 * @module
 */
export * from "../../mod.ts";
export { PAPER } from "./paper.ts";
export * from "./views.ts";
export * from "./views_reference_models.ts";
