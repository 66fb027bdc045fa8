/**
 * The entry of Awasthi & Soni 2024's notebooks: the whole library, this paper's declaration and its own views, in
 * one import (`import { ... } from "../lib/papers/awasthi2024/mod.ts";`).
 *
 * @module
 */
export * from "../../mod.ts";
export { PAPER } from "./paper.ts";
export * from "./views.ts";
