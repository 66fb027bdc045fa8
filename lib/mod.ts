/**
 * The library in one import, for notebooks:
 *
 * ```ts
 * import { experiment, runExperiment, setupNotebook, showTable } from "../lib/mod.ts";
 * ```
 *
 * Folders, in the order data flows (each imports only from the ones before it):
 * `data/` → `backend/` → `models/` → `papers/` → `training/` → `analysis/` → `presentation/`; `errors.ts` and
 * `kernel.ts` (the notebook output channel) sit below them all. `tools/` holds the command-line programs
 * (headless runner, stress check, benchmarks): not library code, and not exported here.
 *
 * @module
 */
export * from "./errors.ts";
export * from "./kernel.ts";
export * from "./data/mod.ts";
export * from "./backend/mod.ts";
export * from "./models/mod.ts";
export * from "./papers/mod.ts";
export * from "./training/mod.ts";
export * from "./analysis/mod.ts";
export * from "./presentation/mod.ts";
